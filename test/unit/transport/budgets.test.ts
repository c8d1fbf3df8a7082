import { ExecutionCancelledError } from '../../../nodes/SegmindFaceToMany/helpers/abort';
import { acquireBudget, credentialFingerprint, liveBudgets } from '../../../nodes/SegmindFaceToMany/transport/budgets';
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
		(await a.acquire('status')).rateLimited(30_000, true);
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
		// Idle: nothing is left (no entry, no timer) once the last execution of a key ends.
		b.close();
		expect(liveBudgets()).toBe(1);
		other.close();
		expect(liveBudgets()).toBe(0);
		// A new execution starts afresh.
		const c = acquireBudget(credential, options);
		expect(c.learned.limit).toBeUndefined();
		c.close();
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
		a.durations.record(20_000, true);
		expect(b.durations.range()).toMatchObject({ count: 1, waiting: 4, mean: 20_000 });
		a.close();
		expect(b.durations.range().waiting).toBe(2);
		b.close();
		expect(liveBudgets()).toBe(0);
	});
});
