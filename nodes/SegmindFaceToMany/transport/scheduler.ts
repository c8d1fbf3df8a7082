import { sleep } from 'n8n-workflow';

import { ExecutionCancelledError, throwIfAborted } from '../helpers/abort';

/**
 * What a request is for. When the budget is short, the scheduler lets the most useful go
 * first: a result finishes an item, a submit starts one, a status check only looks.
 * `long` requests (an image upload, a whole v1 job) count against the budget but do not hold
 * up the others while they run.
 */
export type RequestKind = 'result' | 'other' | 'long' | 'submit' | 'status';

const PRIORITY: Record<RequestKind, number> = { result: 0, other: 1, long: 1, submit: 2, status: 3 };

/**
 * Short API requests go one after another: the next starts when the previous has answered (or
 * after this long, so one slow answer stalls nobody). Segmind's limits (5 or 50 a minute) are
 * far below what one request at a time can send, and it means that when a limit is hit, one
 * request learns it, instead of every request that was in flight at that moment.
 */
export const SERIAL_SLOT_MS = 2000;

export interface SchedulerOptions {
	/** The user's own cap ("Max Requests per Minute"), over any sliding 60 s; 0 or undefined: none. */
	maxRequestsPerMinute?: number;
	now?: () => number;
	/** Told when a 429 pauses the run (for the log). */
	onPause?: (info: { pauseMs: number; limit?: number; windowMs?: number }) => void;
	/** For tests with a fake clock; defaults to n8n-workflow's sleep. */
	sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A granted request; report how it went so the scheduler can learn the server's limit. */
export interface Ticket {
	/** A 429: pause everyone for `pauseMs`; `told` when the server gave the reset time. */
	rateLimited(pauseMs: number, told: boolean): void;
	/** Any other outcome (answer or connection failure). */
	done(): void;
}

interface Waiter {
	kind: RequestKind;
	seq: number;
	grant: (ticket: Ticket) => void;
	fail: (error: Error) => void;
}

const MINUTE_MS = 60_000;

/**
 * One request budget for a whole node run, shared by all its items.
 *
 * - A 429 pauses every request of the run until the reset time the server gave.
 * - From a 429 it learns the server's window: how many requests a window let through (`limit`),
 *   and, from two reset times, the window's length. Afterwards it sends at most `limit` per
 *   window and holds the rest until the window ends, so the server need not say no again.
 *   While the length is still unknown, one request at a time probes past the limit.
 * - An optional user cap holds requests so that no 60 s span has more than the cap.
 * Requests wait in priority order (see RequestKind), first come first served within a kind.
 * Only requests that carry the API key go through it: public image downloads are not limited.
 */
export class RequestScheduler {
	private readonly now: () => number;

	private readonly onPause?: SchedulerOptions['onPause'];

	private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

	/** Grant times of short requests still waiting for their answer. */
	private readonly open = new Set<{ at: number }>();

	private readonly userCap: number;

	/** Send times within the last minute (for the user cap). */
	private readonly sent: number[] = [];

	private readonly queue: Waiter[] = [];

	private seq = 0;

	private pausedUntil = 0;

	/** Learned from 429s. */
	private limit?: number;

	private windowMs?: number;

	private windowEnd?: number;

	private lastResetAt?: number;

	/** Requests granted since the current window started, and how many of them are unsettled. */
	private windowCount = 0;

	private inFlight = 0;

	private probing = false;

	private wake?: { at: number; controller: AbortController };

	private closed = false;

	/** 429s received, for tests. */
	readonly stats = { rateLimited: 0 };

	constructor(options: SchedulerOptions = {}) {
		this.now = options.now ?? Date.now;
		this.onPause = options.onPause;
		this.sleep = options.sleep ?? (async (ms, signal) => await sleep(ms, signal));
		this.userCap = options.maxRequestsPerMinute && options.maxRequestsPerMinute > 0 ? options.maxRequestsPerMinute : 0;
	}

	/** True once the run knows it must save requests (a cap is set or the server said 429). */
	get constrained(): boolean {
		return this.userCap > 0 || this.limit !== undefined;
	}

	/** What the scheduler learned, for tests. */
	get learned(): { limit?: number; windowMs?: number } {
		return { limit: this.limit, windowMs: this.windowMs };
	}

	/** Wait until this request may go. Rejects with ExecutionCancelledError when `signal` aborts. */
	async acquire(kind: RequestKind, signal?: AbortSignal): Promise<Ticket> {
		throwIfAborted(signal);
		if (this.closed || (this.queue.length === 0 && this.delayMs(kind) === 0)) return this.grant(kind);
		return await new Promise<Ticket>((resolve, reject) => {
			const onAbort = () => {
				const index = this.queue.indexOf(waiter);
				if (index !== -1) this.queue.splice(index, 1);
				reject(new ExecutionCancelledError());
				this.pump();
			};
			const waiter: Waiter = {
				kind,
				seq: this.seq++,
				grant: (ticket) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(ticket);
				},
				fail: (error) => {
					signal?.removeEventListener('abort', onAbort);
					reject(error);
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.queue.push(waiter);
			this.queue.sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || a.seq - b.seq);
			this.pump();
		});
	}

	/** End of the run: release the wake-up timer; later acquires are granted at once. */
	close(): void {
		this.closed = true;
		this.wake?.controller.abort();
		this.wake = undefined;
		for (const waiter of this.queue.splice(0)) waiter.fail(new ExecutionCancelledError());
	}

	/** Milliseconds until a request of this kind may go (0: now). */
	private delayMs(kind: RequestKind): number {
		const now = this.now();
		this.rollWindow(now);
		let until = this.pausedUntil;
		if (kind !== 'long') {
			for (const { at } of this.open) if (at + SERIAL_SLOT_MS > now) until = Math.max(until, at + SERIAL_SLOT_MS);
		}
		if (this.userCap) {
			while (this.sent.length && this.sent[0] <= now - MINUTE_MS) this.sent.shift();
			if (this.sent.length >= this.userCap) until = Math.max(until, this.sent[this.sent.length - this.userCap] + MINUTE_MS);
		}
		if (this.limit !== undefined && this.windowCount >= this.limit) {
			// Window length known: hold until it ends. Unknown: one probe at a time finds the end.
			if (this.windowEnd !== undefined) until = Math.max(until, this.windowEnd);
			else if (this.probing) return Number.POSITIVE_INFINITY;
		}
		return Math.max(0, until - now);
	}

	private rollWindow(now: number): void {
		if (this.windowEnd === undefined || this.windowMs === undefined || now < this.windowEnd) return;
		const skipped = Math.floor((now - this.windowEnd) / this.windowMs) + 1;
		this.windowEnd += skipped * this.windowMs;
		this.windowCount = 0;
	}

	private grant(kind: RequestKind): Ticket {
		const at = this.now();
		const serial = kind !== 'long';
		const slot = { at };
		if (serial) this.open.add(slot);
		if (this.userCap) this.sent.push(at);
		const probe = this.limit !== undefined && this.windowEnd === undefined && this.windowCount >= this.limit;
		if (probe) this.probing = true;
		this.windowCount++;
		this.inFlight++;
		let settled = false;
		const settle = () => {
			if (settled) return false;
			settled = true;
			this.inFlight--;
			this.open.delete(slot);
			if (probe) this.probing = false;
			return true;
		};
		return {
			done: () => {
				if (settle()) this.pump();
			},
			rateLimited: (pauseMs, told) => {
				if (!settle()) return;
				this.onRateLimited(this.now(), pauseMs, told);
				this.pump();
			},
		};
	}

	private onRateLimited(now: number, pauseMs: number, told: boolean): void {
		this.stats.rateLimited++;
		const resetAt = now + Math.max(0, pauseMs);
		const pausing = resetAt > this.pausedUntil;
		if (pausing) this.pausedUntil = resetAt;
		if (told) this.learn(resetAt);
		if (pausing) this.onPause?.({ pauseMs: resetAt - now, limit: this.limit, windowMs: this.windowMs });
	}

	private learn(resetAt: number): void {
		// The requests this window let through: all granted in it but the ones that got a 429.
		// (Requests still in flight may yet get one too; the next window corrects the estimate.)
		const allowed = Math.max(1, this.windowCount - 1 - this.inFlight);
		this.limit = this.limit === undefined ? allowed : Math.min(Math.max(this.limit, allowed), allowed + this.inFlight);
		if (this.lastResetAt !== undefined && resetAt - this.lastResetAt > 250) {
			const length = resetAt - this.lastResetAt;
			this.windowMs = this.windowMs === undefined ? length : Math.min(this.windowMs, length);
		}
		if (this.lastResetAt === undefined || resetAt > this.lastResetAt + 250) this.lastResetAt = resetAt;
		// A new window starts at the reset time.
		this.windowCount = 0;
		this.windowEnd = this.windowMs !== undefined ? resetAt + this.windowMs : undefined;
	}

	/** Grant what may go now; otherwise wake up when the next one may. */
	private pump(): void {
		if (this.closed) return;
		while (this.queue.length) {
			const next = this.queue[0];
			const delay = this.delayMs(next.kind);
			if (delay > 0) {
				if (Number.isFinite(delay)) this.wakeIn(delay);
				return;
			}
			this.queue.shift();
			next.grant(this.grant(next.kind));
		}
	}

	private wakeIn(delayMs: number): void {
		const at = this.now() + delayMs;
		if (this.wake && this.wake.at <= at) return;
		this.wake?.controller.abort();
		const controller = new AbortController();
		this.wake = { at, controller };
		// sleep() with a signal clears its timer on n8n ≥ 2.34; older versions let it run out.
		this.sleep(delayMs, controller.signal).then(
			() => {
				if (this.wake?.controller !== controller) return;
				this.wake = undefined;
				this.pump();
			},
			() => undefined,
		);
	}
}
