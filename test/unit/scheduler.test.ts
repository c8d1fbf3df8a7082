import { ExecutionCancelledError } from '../../nodes/SegmindFaceToMany/helpers/abort';
import {
	ADAPTIVE_CAP_UNITS,
	DurationStats,
	JobDurations,
	nextPollDelayMs,
	PRIOR_JOB_MS,
	type DurationRange,
} from '../../nodes/SegmindFaceToMany/helpers/polling';
import { acquireBudget, credentialFingerprint, liveBudgets } from '../../nodes/SegmindFaceToMany/transport/budgets';
import {
	RequestBudget as RequestScheduler,
	SERIAL_SLOT_MS,
	type RequestKind,
	type RequestScheduler as Budget,
	type Ticket,
} from '../../nodes/SegmindFaceToMany/transport/scheduler';

/** A clock the test moves by hand; the scheduler's wake-up sleeps run on it. */
function fakeClock() {
	let t = 0;
	const timers: Array<{ at: number; resolve: () => void }> = [];
	const flush = async () => {
		for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
	};
	return {
		now: () => t,
		sleep: async (ms: number, signal: AbortSignal) =>
			await new Promise<void>((resolve, reject) => {
				const timer = { at: t + ms, resolve };
				timers.push(timer);
				signal.addEventListener('abort', () => {
					timers.splice(timers.indexOf(timer), 1);
					reject(new Error('aborted'));
				});
			}),
		/** Move time forward, firing due timers in order. */
		async advance(ms: number) {
			const target = t + ms;
			await flush();
			for (;;) {
				timers.sort((a, b) => a.at - b.at);
				const next = timers[0];
				if (!next || next.at > target) break;
				timers.shift();
				t = next.at;
				next.resolve();
				await flush();
			}
			t = target;
			await flush();
		},
		flush,
	};
}

/** Track which acquires were granted, in order. */
function recorder(scheduler: Budget) {
	const granted: string[] = [];
	const tickets = new Map<string, Ticket>();
	const acquire = (name: string, kind: RequestKind, signal?: AbortSignal) => {
		const promise = scheduler.acquire(kind, signal).then((ticket) => {
			granted.push(name);
			tickets.set(name, ticket);
			return ticket;
		});
		return promise;
	};
	return { granted, tickets, acquire };
}

describe('request scheduler', () => {
	test('grants at once when nothing is known, one short request at a time', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, tickets, acquire } = recorder(scheduler);
		void acquire('a', 'status');
		void acquire('b', 'status');
		await clock.flush();
		expect(granted).toEqual(['a']);
		tickets.get('a')!.done();
		await clock.flush();
		expect(granted).toEqual(['a', 'b']);
		// A request that never answers holds the others up for SERIAL_SLOT_MS at most.
		void acquire('c', 'status');
		await clock.advance(SERIAL_SLOT_MS - 1);
		expect(granted).toEqual(['a', 'b']);
		await clock.advance(1);
		expect(granted).toEqual(['a', 'b', 'c']);
		// Long requests (uploads, v1 jobs) do not wait for the slot.
		void acquire('upload', 'long');
		await clock.flush();
		expect(granted).toContain('upload');
		scheduler.close();
	});

	test('a 429 pauses every request until the reset, then results go first, status checks last', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, tickets, acquire } = recorder(scheduler);
		await acquire('first', 'status');
		tickets.get('first')!.rateLimited(1000, true);
		void acquire('status', 'status');
		void acquire('submit', 'submit');
		void acquire('result', 'result');
		await clock.advance(999);
		expect(granted).toEqual(['first']);
		await clock.advance(1);
		expect(granted).toEqual(['first', 'result']);
		tickets.get('result')!.done();
		await clock.flush();
		expect(granted).toEqual(['first', 'result', 'submit']);
		tickets.get('submit')!.done();
		await clock.flush();
		expect(granted).toEqual(['first', 'result', 'submit', 'status']);
		scheduler.close();
	});

	test('learns the limit and the window from 429s, then stays under them without a probe', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, tickets, acquire } = recorder(scheduler);
		const send = async (name: string) => {
			const ticket = await acquire(name, 'status');
			ticket.done();
		};
		// Window 1 (0–1000 ms): 3 pass, the 4th gets a 429 with reset at 1000.
		for (const name of ['w1a', 'w1b', 'w1c']) await send(name);
		const fourth = await acquire('w1d', 'status');
		fourth.rateLimited(1000, true);
		expect(scheduler.constrained).toBe(true);
		expect(scheduler.learned.limit).toBe(3);
		// Window 2: 3 go after the reset; the window's length is unknown, so one probe goes next.
		const window2 = ['w2a', 'w2b', 'w2c', 'w2probe', 'w2e'].map((name) => acquire(name, 'status'));
		await clock.advance(1000);
		for (let i = 0; i < 3; i++) {
			await clock.flush();
			tickets.get(granted[granted.length - 1])!.done();
		}
		await clock.flush();
		expect(granted.slice(-4)).toEqual(['w2a', 'w2b', 'w2c', 'w2probe']);
		// While the probe is out nothing else goes; its 429 says the window ends at 2000.
		await clock.advance(500);
		expect(granted).not.toContain('w2e');
		tickets.get('w2probe')!.rateLimited(500, true);
		expect(scheduler.learned.windowMs).toBe(1000);
		// Window 3 (2000–3000): w2e plus two more go, the 4th waits for 3000: no probe, no 429.
		const window3 = ['w3b', 'w3c', 'w3d'].map((name) => acquire(name, 'status'));
		await clock.advance(500);
		for (let i = 0; i < 3; i++) {
			await clock.flush();
			tickets.get(granted[granted.length - 1])!.done();
		}
		expect(granted.slice(-3)).toEqual(['w2e', 'w3b', 'w3c']);
		await clock.advance(999);
		expect(granted).not.toContain('w3d');
		await clock.advance(1);
		expect(granted).toContain('w3d');
		await Promise.all([...window2, ...window3]);
		expect(scheduler.stats.rateLimited).toBe(2);
		scheduler.close();
	});

	test('"Max Requests per Minute" holds requests so no 60 s span has more', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep, maxRequestsPerMinute: 2 });
		expect(scheduler.constrained).toBe(true);
		const { granted, acquire } = recorder(scheduler);
		(await acquire('a', 'submit')).done();
		await clock.advance(10);
		(await acquire('b', 'status')).done();
		void acquire('c', 'status');
		await clock.advance(59_989);
		expect(granted).toEqual(['a', 'b']);
		await clock.advance(1);
		expect(granted).toEqual(['a', 'b', 'c']);
		scheduler.close();
	});

	test('a Stop ends a wait at once, and the others go on', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, acquire } = recorder(scheduler);
		(await acquire('first', 'status')).rateLimited(30_000, true);
		const controller = new AbortController();
		const waiting = acquire('stopped', 'status', controller.signal);
		void acquire('other', 'status');
		await clock.flush();
		controller.abort();
		await expect(waiting).rejects.toBeInstanceOf(ExecutionCancelledError);
		await clock.advance(30_000);
		expect(granted).toEqual(['first', 'other']);
		scheduler.close();
	});

	test('close() releases whoever still waits', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		(await scheduler.acquire('status')).rateLimited(30_000, true);
		const waiting = scheduler.acquire('status');
		scheduler.close();
		await expect(waiting).rejects.toBeInstanceOf(ExecutionCancelledError);
	});
});


describe('which requests the limit counts', () => {
	/** Send and settle one request at a time. */
	const ok = async (scheduler: RequestScheduler, kind: RequestKind) => (await scheduler.acquire(kind)).done();

	test('a status check that goes through past the learned limit shows only submits count: checks then go freely', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		(await scheduler.acquire('submit')).rateLimited(1000, true);
		expect(scheduler.learned).toEqual({ limit: 3, windowMs: undefined, counts: 'unknown' });
		expect(scheduler.constrained).toBe(true);
		await clock.advance(1000);
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		// Past the limit, with the window's length unknown, a status check goes as the probe, and passes.
		await ok(scheduler, 'status');
		expect(scheduler.learned.counts).toBe('submits');
		expect(scheduler.constrained).toBe(false);
		// Checks and results now go at once, however many; a submit is still held to the limit.
		for (let i = 0; i < 10; i++) await ok(scheduler, i % 2 ? 'status' : 'result');
		const { granted, tickets, acquire } = recorder(scheduler);
		const probe = await acquire('submit probe', 'submit');
		probe.done();
		// One submit at a time probes for the window's end (it went through: still unknown)…
		const probe2 = await acquire('submit probe 2', 'submit');
		void acquire('held submit', 'submit');
		void acquire('free status', 'status');
		await clock.flush();
		// …while it is out, the next submit waits for it, the check only for the one-at-a-time slot.
		await clock.advance(SERIAL_SLOT_MS);
		expect(granted).toEqual(['submit probe', 'submit probe 2', 'free status']);
		tickets.get('free status')!.done();
		probe2.rateLimited(1000, true);
		// The server let 4 submits through in the window that began at 1000 and ends at 4000.
		expect(scheduler.learned).toEqual({ limit: 4, windowMs: 3000, counts: 'submits' });
		await clock.advance(999);
		expect(granted).not.toContain('held submit');
		await clock.advance(1);
		expect(granted).toContain('held submit');
		scheduler.close();
	});

	test('a 429 on a status check shows every request counts', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		await ok(scheduler, 'submit');
		await ok(scheduler, 'submit');
		(await scheduler.acquire('status')).rateLimited(1000, true);
		expect(scheduler.learned).toEqual({ limit: 2, windowMs: undefined, counts: 'all' });
		expect(scheduler.constrained).toBe(true);
		scheduler.close();
	});

	test('window known, counting unknown: one status check a window goes past the limit to find out', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		// Two windows of 3 submits each end with a 429 on a submit: limit 3, window 1000 ms, counting unknown.
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		(await scheduler.acquire('submit')).rateLimited(1000, true);
		await clock.advance(1000);
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		(await scheduler.acquire('submit')).rateLimited(1000, true);
		expect(scheduler.learned).toEqual({ limit: 3, windowMs: 1000, counts: 'unknown' });
		await clock.advance(1000);
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		const { granted, tickets, acquire } = recorder(scheduler);
		void acquire('next submit', 'submit');
		void acquire('check 1', 'status');
		void acquire('check 2', 'status');
		await clock.flush();
		// The submit waits for the next window; one check goes past it as the probe…
		expect(granted).toEqual(['check 1']);
		tickets.get('check 1')!.rateLimited(1000, true);
		// …and its 429 says checks count: the other waits for the window like everything else.
		expect(scheduler.learned.counts).toBe('all');
		await clock.advance(999);
		expect(granted).toEqual(['check 1']);
		await clock.advance(1);
		expect(granted).toEqual(['check 1', 'next submit']);
		tickets.get('next submit')!.done();
		await clock.flush();
		expect(granted).toEqual(['check 1', 'next submit', 'check 2']);
		expect(scheduler.stats.rateLimited).toBe(3);
		scheduler.close();
	});
});

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

describe('adaptive polling schedule (simulated clock)', () => {
	const u = 1000;

	/** When each job is found done: checks on the schedule until the job's duration has passed. */
	function simulate(durations: number[], knowledge: (ms: number) => DurationRange | undefined, economical = false, random = Math.random) {
		return durations.map((duration) => {
			let t = 0;
			let checks = 0;
			while (t < duration) {
				t += nextPollDelayMs(t, checks, { unitMs: u, mode: 'adaptive', durations: knowledge(t), economical, random });
				checks++;
			}
			return { duration, foundAt: t, checks };
		});
	}

	const spread = (n: number, low: number, high: number) => Array.from({ length: n }, (_, k) => low + ((high - low) * k) / Math.max(1, n - 1));

	test('fixed mode: always the interval', () => {
		expect([0, 1, 5].map((checks) => nextPollDelayMs(checks * u, checks, { unitMs: u, mode: 'fixed' }))).toEqual([u, u, u]);
	});

	test('one job, nothing measured: the first check at the fast end of Segmind\'s 22 s, then found at most 10 % late', () => {
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive' })).toBe(0.7 * PRIOR_JOB_MS);
		const runs = simulate(spread(40, 16_000, 60_000), () => undefined);
		for (const run of runs) expect(run.foundAt).toBeLessThanOrEqual(run.duration * 1.1);
		// A typical job costs 5 to 7 checks (the SDK: 23); a 60 s one 17, at most 10 poll intervals apart.
		expect(simulate([22_000], () => undefined)[0].checks).toBeLessThanOrEqual(7);
		expect(simulate([60_000], () => undefined)[0].checks).toBeLessThanOrEqual(17);
		expect(nextPollDelayMs(200_000, 30, { unitMs: u, mode: 'adaptive' })).toBe(ADAPTIVE_CAP_UNITS * u);
	});

	test('a batch: the first checks come when nearly all jobs are done, so the first wave costs about one check a job', () => {
		// 32 jobs of 22 s ± 20 %, all waiting on the key, nothing measured yet; each job draws where in
		// the top fifth of the share its first check falls: try the earliest, the latest and random draws.
		const durations = spread(32, 17_600, 26_400);
		for (const random of [() => 0, () => 0.999, Math.random]) {
			const runs = simulate(durations, () => ({ count: 0, waiting: 32 }), false, random);
			const checks = runs.reduce((sum, run) => sum + run.checks, 0);
			expect(checks).toBeLessThanOrEqual(38);
			// The batch is out when its slowest job is found: within 10 % of it.
			expect(Math.max(...runs.map((r) => r.foundAt))).toBeLessThanOrEqual(26_400 * 1.1);
		}
		// First checks are spread over 0.8 to 1 times the share.
		const at = (random: number) => nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { count: 0, waiting: 32 }, random: () => random });
		expect(at(1) / at(0)).toBeCloseTo((0.7 + 0.6 * 0.8 * (31 / 33)) / (0.7 + 0.6 * (31 / 33)), 5);
		// The old schedule (first check after 2 s, then half the time waited) spent 6.5 a job here.
		// 8 jobs: about 1.2 a job; the more jobs wait, the later (nearer the slow end) the first check.
		const eight = simulate(spread(8, 17_600, 26_400), () => ({ count: 0, waiting: 8 }), false, () => 0.5);
		expect(eight.reduce((sum, run) => sum + run.checks, 0)).toBeLessThanOrEqual(12);
		const first = (n: number) => nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { count: 0, waiting: n }, random: () => 0 });
		expect(first(1)).toBeLessThan(first(2));
		expect(first(8)).toBeLessThan(first(32));
		expect(first(1000)).toBeLessThanOrEqual(1.3 * PRIOR_JOB_MS);
	});

	test('learns from measured jobs of the key, not from jobs found done at their first check', () => {
		const stats = new DurationStats();
		const view = new JobDurations(stats, 10);
		// Found done at the first check: only an upper bound, not learned.
		view.record(27_000, false);
		expect(view.range()).toMatchObject({ count: 0, waiting: 9, priorMs: PRIOR_JOB_MS });
		// Jobs that take 10 s, measured: the schedule moves toward them (the prior counting as one job)…
		view.record(10_000, true);
		const one = nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1 }, random: () => 0 });
		expect(one).toBeCloseTo(0.7 * 16_000, 5);
		// …and with five or more measured, uses their own range.
		for (let i = 0; i < 4; i++) view.record(10_000 + i * 1000, true);
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1 } })).toBe(9500);
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations: { ...view.range(), waiting: 1000 }, random: () => 0 })).toBeGreaterThan(13_000);
		view.close();
		expect(stats.waiting).toBe(0);
		// "Expected Job Time" replaces Segmind's 22 s as the prior.
		const own = new JobDurations(new DurationStats(), 1, 2000);
		expect(nextPollDelayMs(0, 0, { unitMs: 100, mode: 'adaptive', durations: own.range() })).toBe(1400);
	});

	test('when checks are scarce: one job first checked at the typical time, then 20 % of the time waited', () => {
		const scarce = { unitMs: u, mode: 'adaptive' as const, economical: true, random: () => 0 };
		expect(nextPollDelayMs(0, 0, scarce)).toBe(PRIOR_JOB_MS);
		expect(nextPollDelayMs(22_000, 1, scarce)).toBe(4400);
		const runs = simulate(spread(20, 15_400, 28_600), () => undefined, true, () => 0);
		for (const run of runs) expect(run.checks).toBeLessThanOrEqual(3);
	});

	test('durations keep the recent 20 and give percentiles', () => {
		const durations = new DurationStats();
		expect(durations.range()).toEqual({ count: 0, waiting: 1 });
		for (let i = 1; i <= 30; i++) durations.record(i * 1000);
		durations.record(0); // ignored
		expect(durations.range()).toMatchObject({ count: 20, low: 15_000, median: 21_000, high: 27_000, min: 11_000, max: 30_000 });
	});
});
