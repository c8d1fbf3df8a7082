import { ASSUMED_WINDOW_MS, MAX_PROBE_GAP, RateLimitLearner, type GrantNote } from '../../../nodes/SegmindFaceToMany/transport/rateLimit';
import type { RequestKind } from '../../../nodes/SegmindFaceToMany/transport/requestKind';

/**
 * The rate-limit learner on its own: plain state moved by the clock readings it is given, so these
 * tests step through windows by hand. A "server" here is a fixed-window pool shared by learners.
 */

/** A fixed-window limit of `limit` per `windowMs` from 0, shared by whoever sends. */
function pool(limit: number, windowMs = 60_000) {
	const counts = new Map<number, number>();
	return {
		/** Let a request at `at` through, or give the reset time of its window. */
		send(at: number): { ok: true } | { resetAt: number } {
			const window = Math.floor(at / windowMs);
			const count = counts.get(window) ?? 0;
			if (count >= limit) return { resetAt: (window + 1) * windowMs };
			counts.set(window, count + 1);
			return { ok: true };
		},
	};
}

/** Send as much as the learner allows at `now` (requests answered at once); returns what went through and the 429s. */
function sendAll(learner: RateLimitLearner, server: ReturnType<typeof pool>, now: number, kind: RequestKind = 'status', max = 1000) {
	let passed = 0;
	let refused = 0;
	for (let i = 0; i < max && learner.delayMs(kind, now) === 0; i++) {
		const note: GrantNote = learner.grant(kind, now);
		const answer = server.send(now);
		if ('ok' in answer) {
			learner.answered(note);
			passed++;
		} else {
			learner.rateLimited(note, now, answer.resetAt - now + 100, answer.resetAt - now);
			refused++;
		}
	}
	return { passed, refused };
}

describe('rate-limit learner', () => {
	test('learns the limit from a 429, assumes a minute until a second reset confirms it, and holds there', () => {
		const learner = new RateLimitLearner();
		const server = pool(5);
		expect(sendAll(learner, server, 1000)).toEqual({ passed: 5, refused: 1 });
		expect(learner.learned).toEqual({ limit: 5, windowMs: undefined, counts: 'all' });
		// Paused until the reset; then at most 5, and a spaced probe for an earlier end of the window.
		expect(learner.delayMs('status', 30_000)).toBeGreaterThan(0);
		expect(sendAll(learner, server, 60_100)).toEqual({ passed: 5, refused: 0 });
		expect(learner.delayMs('status', 60_100)).toBeGreaterThan(0);
		// A probe that finds the window full (the reset at 120 000 is where a minute's window ends): confirmed.
		expect(sendAll(learner, server, 60_400)).toEqual({ passed: 0, refused: 1 });
		expect(learner.learned.windowMs).toBe(ASSUMED_WINDOW_MS);
		// From then on: 5 a window, no 429.
		for (let window = 2; window < 6; window++) expect(sendAll(learner, server, window * 60_000 + 200)).toEqual({ passed: 5, refused: 0 });
	});

	test('finds a shorter window from a second reset elsewhere', () => {
		const learner = new RateLimitLearner();
		const server = pool(3, 1000);
		expect(sendAll(learner, server, 0)).toEqual({ passed: 3, refused: 1 });
		// After the reset (1000) three go; a probe 250 ms into the window meets its limit.
		expect(sendAll(learner, server, 1100)).toEqual({ passed: 3, refused: 0 });
		expect(sendAll(learner, server, 1350)).toEqual({ passed: 0, refused: 1 });
		expect(learner.learned.windowMs).toBe(1000);
	});

	test('requests in flight when the first 429 came do not cut the estimate when they get one too, and raise it when they pass', () => {
		const learner = new RateLimitLearner();
		const notes = Array.from({ length: 10 }, () => learner.grant('status', 0));
		// The server let 6 through: the 7th answer is the first 429; 3 more were in flight.
		for (const note of notes.slice(0, 5)) learner.answered(note);
		learner.rateLimited(notes[5], 10, 60_000, 59_990);
		expect(learner.learned.limit).toBe(5); // 9 granted before it, 4 of them unanswered: at least 5 passed…
		learner.answered(notes[6]); // …one of those in flight passed after all: the window had room for it
		learner.rateLimited(notes[7], 20, 60_000, 59_980);
		learner.rateLimited(notes[8], 20, 60_000, 59_980);
		learner.rateLimited(notes[9], 20, 60_000, 59_980);
		// The later 429s of the same window change nothing (no spiral down to 1).
		expect(learner.learned.limit).toBe(6);
	});

	test('recovers: after a clean window held back by the estimate it probes upward from the middle of the next one; failed probes double the gap', () => {
		const learner = new RateLimitLearner();
		// Learned 10 a minute while another user of the key took the rest; then that user stops.
		const server = pool(10);
		sendAll(learner, server, 0);
		sendAll(learner, server, 60_000);
		sendAll(learner, server, 60_500); // the window's end confirmed: 10 a minute
		expect(learner.learned).toMatchObject({ limit: 10, windowMs: 60_000 });
		const wide = pool(40);
		let refusals = 0;
		const perWindow: number[] = [];
		for (let window = 2; window < 40; window++) {
			let passed = 0;
			for (const at of [0, 30_000, 45_000, 59_000]) {
				const sent = sendAll(learner, wide, window * 60_000 + at);
				passed += sent.passed;
				refusals += sent.refused;
			}
			perWindow.push(passed);
		}
		// Up to 40 within a few windows (the estimate at most doubles a window)…
		expect(perWindow.slice(4)).toEqual(perWindow.slice(4).map(() => 40));
		expect(learner.learned.limit).toBe(40);
		// …and then a probe fails now and then, at gaps of 1, 2, 4, 8… windows: a handful of 429s in 38 windows.
		expect(refusals).toBeLessThanOrEqual(2 + Math.ceil(Math.log2(38)));
		expect(MAX_PROBE_GAP).toBeGreaterThanOrEqual(16);
	});

	test('three processes on one key converge to shares that add up to the limit, none starving, with few 429s', () => {
		const server = pool(50);
		const learners = [0, 1, 2].map(() => new RateLimitLearner());
		const refusals = [0, 0, 0];
		const totals: number[] = [];
		for (let window = 0; window < 40; window++) {
			const passed = [0, 0, 0];
			for (const at of [100, 30_000, 45_000, 59_000]) {
				// Their requests interleave at the server (each sends one at a time while it may).
				const now = window * 60_000 + at;
				for (let round = 0; round < 100; round++) {
					const sent = learners.map((learner) => sendAll(learner, server, now, 'status', 1));
					sent.forEach((one, p) => {
						passed[p] += one.passed;
						refusals[p] += one.refused;
					});
					if (sent.every((one) => one.passed + one.refused === 0)) break;
				}
			}
			totals.push(passed.reduce((a, b) => a + b, 0));
			if (window >= 3) for (const share of passed) expect(share).toBeGreaterThanOrEqual(10);
		}
		// The limit is used: every window after the first few lets 50 through.
		expect(totals.slice(3)).toEqual(totals.slice(3).map(() => 50));
		// 429s: finding the limit and the window, then failed probes at doubling gaps.
		for (const count of refusals) expect(count).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(40)));
	});

	test('while checks count, new jobs start at a third of the limit a window (their checks and results need the rest)', () => {
		const learner = new RateLimitLearner();
		const server = pool(9);
		sendAll(learner, server, 0, 'status');
		sendAll(learner, server, 60_000, 'status');
		sendAll(learner, server, 60_500, 'status');
		expect(learner.learned).toMatchObject({ limit: 9, windowMs: 60_000, counts: 'all' });
		expect(sendAll(learner, server, 120_200, 'submit')).toEqual({ passed: 3, refused: 0 });
		expect(learner.delayMs('status', 120_200)).toBe(0);
	});
});
