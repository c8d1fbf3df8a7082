import { ExecutionCancelledError } from '../../../nodes/SegmindFaceToMany/helpers/abort';
import { acquireBudget, credentialFingerprint, liveBudgets, rememberedKeys } from '../../../nodes/SegmindFaceToMany/transport/budgets';
import { REMEMBER_MS, REMEMBERED_KEYS } from '../../../nodes/SegmindFaceToMany/transport/keyMemory';
import { fakeClock, recorder } from '../fakeClock';

describe('one budget per API key across executions', () => {
	const credential = { apiKey: 'sk-unit-SECRET-key', baseUrl: 'https://api.segmind.com' };

	test('executions with the same key share what was learned and the pause; a Stop ends only its own waits', async () => {
		const clock = fakeClock();
		const options = { now: clock.now, sleep: clock.sleep };
		const pauses: string[] = [];
		const a = acquireBudget(credential, { ...options, onPause: () => pauses.push('a') });
		const b = acquireBudget(credential, { ...options, onPause: () => pauses.push('b') });
		const other = acquireBudget({ ...credential, apiKey: 'another key' }, options);
		expect(liveBudgets()).toBe(2);
		(await a.acquire('status')).rateLimited(30_000, 30_000);
		// Both executions are told, and both wait.
		expect(pauses.sort()).toEqual(['a', 'b']);
		expect(b.learned.limit).toBe(1);
		const stopA = new AbortController();
		const waitA = a.acquire('status', stopA.signal);
		const waitA2 = a.acquire('result');
		const { granted, acquire } = recorder(b);
		void acquire('b', 'status');
		// Another key is not paused.
		(await other.acquire('status')).done();
		await clock.flush();
		stopA.abort();
		await expect(waitA).rejects.toBeInstanceOf(ExecutionCancelledError);
		// The end of execution a rejects its other waits, not b's; a's later requests are refused.
		a.close();
		await expect(waitA2).rejects.toBeInstanceOf(ExecutionCancelledError);
		await expect(a.acquire('status')).rejects.toBeInstanceOf(ExecutionCancelledError);
		await clock.advance(29_999);
		expect(granted).toEqual([]);
		await clock.advance(1);
		expect(granted).toEqual(['b']);
		// Idle: no live budget (no queue, no timer) once the last execution of a key ends…
		b.close();
		expect(liveBudgets()).toBe(1);
		other.close();
		expect(liveBudgets()).toBe(0);
		// …but what was learned is remembered: the next execution starts from it.
		const c = acquireBudget(credential, options);
		expect(c.learned.limit).toBe(1);
		c.close();
		// An hour idle, and it is forgotten (on the next use: no timer runs for it meanwhile).
		await clock.advance(REMEMBER_MS);
		const d = acquireBudget(credential, options);
		expect(d.learned.limit).toBeUndefined();
		d.close();
	});

	test('what was learned outlives the executions: job durations too, for the most recently used keys', async () => {
		const clock = fakeClock();
		const key = (n: number) => ({ ...credential, apiKey: `memory-key-${n}` });
		const first = acquireBudget(key(0), { now: clock.now, jobs: 1 });
		first.durations.record({ runningAt: 2000, doneAt: 3000 });
		first.close();
		await clock.advance(REMEMBER_MS - 1);
		const again = acquireBudget(key(0), { now: clock.now, jobs: 1 });
		expect(again.durations.range()).toMatchObject({ count: 1, mean: 2500, waiting: 1 });
		again.close();
		// At most REMEMBERED_KEYS keys: the least recently used go first.
		for (let n = 1; n <= REMEMBERED_KEYS; n++) acquireBudget(key(n), { now: clock.now }).close();
		expect(rememberedKeys(clock.now())).toBe(REMEMBERED_KEYS);
		const forgotten = acquireBudget(key(0), { now: clock.now });
		expect(forgotten.durations.range().count).toBe(0);
		forgotten.close();
	});

	test('the smallest "Max Requests per Minute" of the running executions applies to all of them', async () => {
		const clock = fakeClock();
		const capped = acquireBudget(credential, { now: clock.now, sleep: clock.sleep, maxRequestsPerMinute: 1 });
		const free = acquireBudget(credential, { now: clock.now, sleep: clock.sleep });
		expect(free.constrained).toBe(true);
		(await capped.acquire('status')).done();
		const { granted, acquire } = recorder(free);
		void acquire('held', 'status');
		await clock.advance(1000);
		expect(granted).toEqual([]);
		// When the capped execution ends, its cap goes with it.
		capped.close();
		await clock.flush();
		expect(granted).toEqual(['held']);
		free.close();
	});

	test('the registry is keyed by a one-way fingerprint of base URL and key, never the key', () => {
		const id = credentialFingerprint(credential.apiKey, credential.baseUrl);
		expect(id).toMatch(/^[0-9a-f]{64}$/);
		expect(id).not.toContain('SECRET');
		expect(credentialFingerprint(credential.apiKey, `${credential.baseUrl}/`)).toBe(id);
		expect(credentialFingerprint(credential.apiKey, 'http://127.0.0.1:5000')).not.toBe(id);
	});

	test('job durations are shared by the executions of a key; each counts its jobs as waiting until they finish', () => {
		const a = acquireBudget(credential, { jobs: 3 });
		const b = acquireBudget(credential, { jobs: 2 });
		expect(b.durations.range().waiting).toBe(5);
		a.durations.record({ runningAt: 19_000, doneAt: 21_000 });
		expect(b.durations.range()).toMatchObject({ count: 1, waiting: 4, mean: 20_000 });
		a.close();
		expect(b.durations.range().waiting).toBe(2);
		b.close();
		expect(liveBudgets()).toBe(0);
	});
});
