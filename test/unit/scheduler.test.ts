import { ExecutionCancelledError } from '../../nodes/SegmindFaceToMany/helpers/abort';
import { ADAPTIVE_CAP_UNITS, JobDurations, nextPollDelayMs } from '../../nodes/SegmindFaceToMany/helpers/polling';
import { RequestScheduler, SERIAL_SLOT_MS, type RequestKind, type Ticket } from '../../nodes/SegmindFaceToMany/transport/scheduler';

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
function recorder(scheduler: RequestScheduler) {
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

describe('adaptive polling schedule', () => {
	const u = 1000;

	test('fixed mode: always the interval', () => {
		expect([0, 1, 5].map((checks) => nextPollDelayMs(checks * u, checks, { unitMs: u, mode: 'fixed' }))).toEqual([u, u, u]);
	});

	test('nothing learned: first check after 2 units, then half the time waited, capped at 10 units', () => {
		const delays: number[] = [];
		let elapsed = 0;
		for (let checks = 0; checks < 12; checks++) {
			const delay = nextPollDelayMs(elapsed, checks, { unitMs: u, mode: 'adaptive' });
			delays.push(delay);
			elapsed += delay;
		}
		expect(delays.slice(0, 5)).toEqual([2000, 1000, 1500, 2250, 3375]);
		for (let i = 2; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
		expect(Math.max(...delays)).toBe(ADAPTIVE_CAP_UNITS * u);
		// A 22 s job (Segmind's typical) costs 7 checks instead of the SDK's ~23.
		let t = 0;
		let checks = 0;
		while (t < 22_000) t += nextPollDelayMs(t, checks++, { unitMs: u, mode: 'adaptive' });
		expect(checks).toBe(7);
	});

	test('with earlier durations: the first check when a job is likely done, then growing from one unit', () => {
		const durations = { low: 20_000, median: 22_000, high: 24_000, max: 26_000 };
		expect(nextPollDelayMs(0, 0, { unitMs: u, mode: 'adaptive', durations })).toBe(20_000);
		expect(nextPollDelayMs(20_000, 1, { unitMs: u, mode: 'adaptive', durations })).toBe(u);
		expect(nextPollDelayMs(26_000, 4, { unitMs: u, mode: 'adaptive', durations })).toBe(2000);
		expect(nextPollDelayMs(200_000, 30, { unitMs: u, mode: 'adaptive', durations })).toBe(10 * u);
		// When requests are scarce (a rate limit is known): at the 80th percentile, then the longest
		// seen, then growing twice as fast.
		const scarce = { unitMs: u, mode: 'adaptive' as const, durations, economical: true };
		expect(nextPollDelayMs(0, 0, scarce)).toBe(24_000);
		expect(nextPollDelayMs(24_000, 1, scarce)).toBe(2000);
		expect(nextPollDelayMs(26_000, 2, scarce)).toBe(u);
		expect(nextPollDelayMs(30_000, 3, scarce)).toBe(3000);
		expect(nextPollDelayMs(100_000, 9, scarce)).toBe(10 * u);
		// Nothing learned yet and requests scarce: the wait doubles.
		const unknown = { unitMs: u, mode: 'adaptive' as const, economical: true };
		expect([0, 2000, 4000, 8000].map((t, checks) => nextPollDelayMs(t, checks, unknown))).toEqual([2000, 2000, 4000, 8000]);
	});

	test('durations keep the recent 20 and give percentiles', () => {
		const durations = new JobDurations();
		expect(durations.range()).toBeUndefined();
		for (let i = 1; i <= 30; i++) durations.record(i * 1000);
		durations.record(0); // ignored
		expect(durations.range()).toEqual({ low: 15_000, median: 21_000, high: 27_000, max: 30_000 });
	});
});
