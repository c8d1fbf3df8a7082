import { ExecutionCancelledError } from '../../../nodes/SegmindFaceToMany/helpers/abort';
import { RequestBudget as RequestScheduler, type RequestKind } from '../../../nodes/SegmindFaceToMany/transport/scheduler';
import { MAX_IN_FLIGHT, START_IN_FLIGHT, STALL_MS } from '../../../nodes/SegmindFaceToMany/transport/sendWindow';
import { fakeClock, recorder } from '../fakeClock';

describe('request scheduler', () => {
	test('slow start: two requests in flight while nothing is known, one more for each clean answer, halved by a 429', async () => {
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
		// A 429 halves it (and pauses everyone until the reset).
		tickets.get('r2')!.rateLimited(1000, true);
		expect(scheduler.inFlightLimit).toBe(2);
		await clock.advance(1000);
		// Three still in flight: nobody else goes until answers come, or a stalled answer frees its place.
		expect(granted).toHaveLength(6);
		await clock.advance(STALL_MS - 1000);
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
		// Two windows of 100 (reset at 1000, then 2000): limit and window known.
		for (let i = 0; i < 100; i++) await ok();
		(await scheduler.acquire('status')).rateLimited(1000, true);
		await clock.advance(1000);
		for (let i = 0; i < 100; i++) await ok();
		(await scheduler.acquire('status')).rateLimited(1000, true);
		expect(scheduler.learned).toMatchObject({ limit: 100, windowMs: 1000 });
		await clock.advance(1000);
		// Nobody answers yet: as many as the window allows go at once (up to MAX_IN_FLIGHT in flight).
		const { granted, acquire } = recorder(scheduler);
		for (let i = 0; i < 100; i++) void acquire(`q${i}`, 'status');
		await clock.flush();
		expect(granted).toHaveLength(MAX_IN_FLIGHT);
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
		let pauses = 0;
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep, onPause: () => pauses++ });
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
		for (const name of ['w2a', 'w2b', 'w2c']) {
			await clock.flush();
			tickets.get(name)!.done();
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
		for (const name of ['w2e', 'w3b', 'w3c']) {
			await clock.flush();
			tickets.get(name)!.done();
		}
		expect(granted.slice(-3)).toEqual(['w2e', 'w3b', 'w3c']);
		await clock.advance(999);
		expect(granted).not.toContain('w3d');
		await clock.advance(1);
		expect(granted).toContain('w3d');
		await Promise.all([...window2, ...window3]);
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
		// …while it is out, the next submit waits for it; the check goes (checks do not count).
		await clock.advance(2000);
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
		let pauses = 0;
		const scheduler = new RequestScheduler({ now: clock.now, sleep: clock.sleep, onPause: () => pauses++ });
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
		expect(granted).toEqual(['check 1', 'next submit', 'check 2']);
		// Each of the three 429s paused everyone (what n8n's log is told).
		expect(pauses).toBe(3);
		scheduler.close();
	});
});
