import { ExecutionCancelledError } from '../../../nodes/SegmindFaceToMany/helpers/abort';
import { RequestBudget as RequestScheduler, type RequestKind } from '../../../nodes/SegmindFaceToMany/transport/scheduler';
import { MAX_IN_FLIGHT, START_IN_FLIGHT, STALL_MS } from '../../../nodes/SegmindFaceToMany/transport/sendWindow';
import { fakeClock, recorder } from '../fakeClock';

describe('request scheduler', () => {
	test('slow start: two requests in flight while nothing is known, one more for each clean answer', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, tickets, acquire } = recorder(scheduler);
		const names = Array.from({ length: 12 }, (_, i) => `r${i}`);
		for (const name of names) void acquire(name, 'status');
		await clock.flush();
		expect(granted).toEqual(names.slice(0, START_IN_FLIGHT));
		// Each clean answer frees its place and adds one: the window doubles every round trip.
		for (const name of names.slice(0, 2)) tickets.get(name)!.done();
		await clock.flush();
		expect(granted).toEqual(names.slice(0, 6));
		expect(scheduler.inFlightLimit).toBe(4);
		// A request that never answers holds its place for STALL_MS at most.
		await clock.advance(STALL_MS - 1);
		expect(granted).toHaveLength(6);
		await clock.advance(1);
		expect(granted.length).toBeGreaterThan(6);
		// Long requests (uploads, v1 jobs) take no place in the window.
		void acquire('upload', 'long');
		await clock.flush();
		expect(granted).toContain('upload');
		scheduler.close();
	});

	test('once the limit and its window are known, the per-window count bounds sending, not the round trips', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const ok = async () => (await scheduler.acquire('status')).done();
		// A window of 100 (reset at 1000); in the next, a probe 250 ms in finds it full (reset at 2000).
		for (let i = 0; i < 100; i++) await ok();
		(await scheduler.acquire('status')).rateLimited(1000, 1000);
		await clock.advance(1000);
		for (let i = 0; i < 100; i++) await ok();
		await clock.advance(250);
		(await scheduler.acquire('status')).rateLimited(750, 750);
		expect(scheduler.learned).toMatchObject({ limit: 100, windowMs: 1000 });
		await clock.advance(750);
		// Nobody answers yet: the whole window's count goes at once.
		const { granted, acquire } = recorder(scheduler);
		for (let i = 0; i < 150; i++) void acquire(`q${i}`, 'status');
		await clock.flush();
		expect(granted).toHaveLength(Math.min(100, MAX_IN_FLIGHT));
		scheduler.close();
	});

	test('a 429 pauses every request until the reset; then results go first, and (checks counting) status checks before submits', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		const { granted, acquire } = recorder(scheduler);
		for (let i = 0; i < 3; i++) (await scheduler.acquire('status')).done();
		await acquire('first', 'status');
		[...granted].forEach(() => undefined);
		(await scheduler.acquire('status')).rateLimited(1000, 1000);
		void acquire('status', 'status');
		void acquire('submit', 'submit');
		void acquire('result', 'result');
		await clock.advance(999);
		expect(granted).toEqual(['first']);
		await clock.advance(1);
		expect(granted).toEqual(['first', 'result', 'status', 'submit']);
		scheduler.close();
	});

	test('learns the limit and the window from 429s, then stays under them without a probe', async () => {
		const clock = fakeClock();
		let pauses = 0;
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep, onPause: () => pauses++ });
		const { granted, tickets, acquire } = recorder(scheduler);
		const send = async (name: string) => (await acquire(name, 'status')).done();
		// Window 1 (0–1000 ms): 3 pass, the 4th gets a 429 with reset at 1000.
		for (const name of ['w1a', 'w1b', 'w1c']) await send(name);
		(await scheduler.acquire('status')).rateLimited(1000, 1000);
		expect(scheduler.constrained).toBe(true);
		expect(scheduler.learned.limit).toBe(3);
		// Window 2: 3 go after the reset; the window's length is not known (a minute is assumed), so a
		// probe 250 ms into it looks for an earlier end.
		for (const name of ['w2a', 'w2b', 'w2c', 'w2probe', 'w2e']) void acquire(name, 'status');
		await clock.advance(1000);
		for (const name of ['w2a', 'w2b', 'w2c']) tickets.get(name)!.done();
		await clock.advance(249);
		expect(granted.slice(-3)).toEqual(['w2a', 'w2b', 'w2c']);
		await clock.advance(1);
		expect(granted.slice(-1)).toEqual(['w2probe']);
		// Its 429 says the window ends at 2000: a second reset, one second after the first.
		tickets.get('w2probe')!.rateLimited(750, 750);
		expect(scheduler.learned.windowMs).toBe(1000);
		// Window 3 (2000–3000): w2e plus two more go, the 4th waits for 3000: no probe, no 429.
		for (const name of ['w3b', 'w3c', 'w3d']) void acquire(name, 'status');
		await clock.advance(750);
		for (const name of ['w2e', 'w3b', 'w3c']) tickets.get(name)!.done();
		expect(granted.slice(-3)).toEqual(['w2e', 'w3b', 'w3c']);
		await clock.advance(999);
		expect(granted).not.toContain('w3d');
		await clock.advance(1);
		expect(granted).toContain('w3d');
		// Two 429s in all, each pausing everyone once (what n8n's log is told).
		expect(pauses).toBe(2);
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
		(await acquire('first', 'status')).rateLimited(30_000, 30_000);
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
		(await scheduler.acquire('status')).rateLimited(30_000, 30_000);
		const waiting = scheduler.acquire('status');
		scheduler.close();
		await expect(waiting).rejects.toBeInstanceOf(ExecutionCancelledError);
	});
});

describe('which requests the limit counts', () => {
	/** Send and settle one request at a time. */
	const ok = async (scheduler: RequestScheduler, kind: RequestKind) => (await scheduler.acquire(kind)).done();

	test("right after a submit's 429, one status check goes before the reset: it passes, so only submits count and checks go freely", async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		for (let i = 0; i < 3; i++) await ok(scheduler, 'submit');
		const { granted, tickets, acquire } = recorder(scheduler);
		(await scheduler.acquire('submit')).rateLimited(5000, 5000);
		void acquire('check', 'status');
		void acquire('check 2', 'status');
		expect(scheduler.learned).toEqual({ limit: 3, windowMs: undefined, counts: 'unknown' });
		expect(scheduler.constrained).toBe(true);
		await clock.flush();
		// The window that just refused a submit: one check goes into it (the other waits with everyone).
		expect(granted).toEqual(['check']);
		tickets.get('check')!.done();
		expect(scheduler.learned.counts).toBe('submits');
		expect(scheduler.constrained).toBe(false);
		await clock.flush();
		// Checks and results now go whatever the count; submits wait for the reset.
		expect(granted).toEqual(['check', 'check 2']);
		for (let i = 0; i < 10; i++) await ok(scheduler, i % 2 ? 'status' : 'result');
		void acquire('submit', 'submit');
		await clock.advance(4999);
		expect(granted).not.toContain('submit');
		await clock.advance(1);
		expect(granted).toContain('submit');
		scheduler.close();
	});

	test("the check sent during a submit's pause gets a 429 too: every request counts", async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		await ok(scheduler, 'submit');
		const { tickets, acquire } = recorder(scheduler);
		(await scheduler.acquire('submit')).rateLimited(5000, 5000);
		void acquire('check', 'status');
		await clock.flush();
		tickets.get('check')!.rateLimited(5000, 5000);
		expect(scheduler.learned).toMatchObject({ limit: 1, counts: 'all' });
		scheduler.close();
	});

	test('a 429 on a status check shows every request counts', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		await ok(scheduler, 'submit');
		await ok(scheduler, 'submit');
		(await scheduler.acquire('status')).rateLimited(1000, 1000);
		expect(scheduler.learned).toEqual({ limit: 2, windowMs: undefined, counts: 'all' });
		expect(scheduler.constrained).toBe(true);
		scheduler.close();
	});

	test('while the limit counts checks, a started job\'s check goes before a new submit, and submits start at a third of the limit a window', async () => {
		const clock = fakeClock();
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep });
		for (let i = 0; i < 6; i++) await ok(scheduler, 'status');
		(await scheduler.acquire('status')).rateLimited(1000, 1000);
		expect(scheduler.learned).toMatchObject({ limit: 6, counts: 'all' });
		const { granted, acquire } = recorder(scheduler);
		for (let i = 0; i < 4; i++) void acquire(`submit ${i}`, 'submit');
		void acquire('check', 'status', undefined);
		await clock.advance(1000);
		// Two submits (6 / 3) and the check, the check first; the other submits wait for later windows.
		expect(granted).toEqual(['check', 'submit 0', 'submit 1']);
		scheduler.close();
	});
});
