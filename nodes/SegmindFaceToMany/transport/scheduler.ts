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

/** Requests that start a billed job: the ones a "submits only" limit counts. */
const STARTS_A_JOB: RequestKind[] = ['submit', 'long'];

/**
 * Short API requests go one after another: the next starts when the previous has answered (or
 * after this long, so one slow answer stalls nobody). Segmind's limits (5 or 50 a minute) are
 * far below what one request at a time can send, and it means that when a limit is hit, one
 * request learns it, instead of every request that was in flight at that moment.
 */
export const SERIAL_SLOT_MS = 2000;

/** What the HTTP layer needs from a request budget (see RequestBudget and BudgetLease). */
export interface RequestScheduler {
	/** Wait until a request of this kind may go. Rejects with ExecutionCancelledError when `signal` aborts. */
	acquire(kind: RequestKind, signal?: AbortSignal): Promise<Ticket>;
	/** True once status checks should be saved (a cap is set, or a limit that counts them is known). */
	readonly constrained: boolean;
	/** Until when (epoch ms) a 429 has paused every request; in the past when there is no pause. */
	readonly pausedUntil: number;
}

export interface PauseInfo {
	pauseMs: number;
	limit?: number;
	windowMs?: number;
}

/** One user of a shared budget (an execution): its own cap and where its pause log goes. */
export interface BudgetMember {
	/** "Max Requests per Minute" of that execution; 0 or undefined: none. */
	maxRequestsPerMinute?: number;
	onPause?: (info: PauseInfo) => void;
}

export interface SchedulerOptions extends BudgetMember {
	now?: () => number;
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
	owner?: object;
	grant: (ticket: Ticket) => void;
	fail: (error: Error) => void;
}

/** Which requests the server's limit counts, as far as the 429s have shown. */
type Counted = 'unknown' | 'all' | 'submits';

const MINUTE_MS = 60_000;

/**
 * One request budget for an API key: every request that carries the key waits for it. One is
 * shared by all executions that use the same credential in this n8n process (see budgets.ts);
 * it can also be used on its own (tests).
 *
 * - A 429 pauses every request until the reset time the server gave.
 * - From a 429 it learns the server's window: how many requests a window let through (`limit`),
 *   and, from two reset times, the window's length. Afterwards it sends at most `limit` per
 *   window and holds the rest until the window ends, so the server need not say no again.
 *   While the length is still unknown, one request at a time probes past the limit.
 * - Segmind does not document whether status checks count. A 429 on a status check or result
 *   shows they do. A status check that goes through past the learned limit shows only submits
 *   count: from then on only submits are held and checks go freely. Until one of these is seen,
 *   every request counts, and at most one status check a window is let past the limit to find out.
 * - An optional user cap ("Max Requests per Minute"; with several members, the smallest) holds
 *   requests so that no 60 s span has more than the cap.
 * Requests wait in priority order (see RequestKind), first come first served within a kind.
 * Only requests that carry the API key go through it: public image downloads are not limited.
 */
export class RequestBudget implements RequestScheduler {
	private readonly now: () => number;

	private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

	private readonly members = new Map<object, BudgetMember>();

	/** Grant times of short requests still waiting for their answer. */
	private readonly open = new Set<{ at: number }>();

	private userCap = 0;

	/** Send times within the last minute (for the user cap). */
	private readonly sent: number[] = [];

	private readonly queue: Waiter[] = [];

	private seq = 0;

	private pauseEnd = 0;

	/** Learned from 429s: requests a window lets through (all requests, or only submits). */
	private limitAll?: number;

	private limitSubmits?: number;

	private counted: Counted = 'unknown';

	private windowMs?: number;

	private windowEnd?: number;

	private lastResetAt?: number;

	/** Requests granted since the current window started (all; those that start a job). */
	private windowAll = 0;

	private windowSubmits = 0;

	/** A status check was let past the limit in this window to learn whether checks count. */
	private modeProbeSent = false;

	private inFlight = 0;

	private inFlightSubmits = 0;

	private probing = false;

	private wake?: { at: number; controller: AbortController };

	private closed = false;

	constructor(options: SchedulerOptions = {}) {
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep ?? (async (ms, signal) => await sleep(ms, signal));
		if (options.maxRequestsPerMinute || options.onPause) this.join(this, options);
	}

	/** True once status checks should be saved: a cap is set, or a limit that counts them is known. */
	get constrained(): boolean {
		return this.userCap > 0 || (this.limitAll !== undefined && this.counted !== 'submits');
	}

	/** Until when (epoch ms) a 429 has paused every request. */
	get pausedUntil(): number {
		return this.pauseEnd;
	}

	/** What the scheduler learned, for tests and the log. */
	get learned(): { limit?: number; windowMs?: number; counts: Counted } {
		return { limit: this.limit, windowMs: this.windowMs, counts: this.counted };
	}

	/** Number of members (executions) using the budget. */
	get size(): number {
		return this.members.size;
	}

	/** Add a member: its cap joins the others (the smallest applies) and it is told of pauses. */
	join(owner: object, member: BudgetMember): void {
		this.members.set(owner, member);
		this.updateCap();
	}

	/** Remove a member: its waiting requests are rejected (ExecutionCancelledError), the rest go on. */
	leave(owner: object): void {
		this.members.delete(owner);
		for (const waiter of this.queue.filter((w) => w.owner === owner)) {
			this.queue.splice(this.queue.indexOf(waiter), 1);
			waiter.fail(new ExecutionCancelledError());
		}
		this.updateCap();
		this.pump();
	}

	/**
	 * Wait until this request may go. Rejects with ExecutionCancelledError when `signal` aborts
	 * or when `owner` leaves the budget.
	 */
	async acquire(kind: RequestKind, signal?: AbortSignal, owner?: object): Promise<Ticket> {
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
				owner,
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

	/** The end: release the wake-up timer and whoever still waits; later acquires are granted at once. */
	close(): void {
		this.closed = true;
		this.wake?.controller.abort();
		this.wake = undefined;
		for (const waiter of this.queue.splice(0)) waiter.fail(new ExecutionCancelledError());
		this.members.clear();
	}

	private get limit(): number | undefined {
		return this.counted === 'submits' ? this.limitSubmits : this.limitAll;
	}

	private updateCap(): void {
		const caps = [...this.members.values()].map((m) => m.maxRequestsPerMinute ?? 0).filter((cap) => cap > 0);
		this.userCap = caps.length ? Math.min(...caps) : 0;
	}

	private counts(kind: RequestKind): boolean {
		return this.counted !== 'submits' || STARTS_A_JOB.includes(kind);
	}

	/** Milliseconds until a request of this kind may go (0: now). */
	private delayMs(kind: RequestKind): number {
		const now = this.now();
		this.rollWindow(now);
		let until = this.pauseEnd;
		if (kind !== 'long') {
			for (const { at } of this.open) if (at + SERIAL_SLOT_MS > now) until = Math.max(until, at + SERIAL_SLOT_MS);
		}
		if (this.userCap) {
			while (this.sent.length && this.sent[0] <= now - MINUTE_MS) this.sent.shift();
			if (this.sent.length >= this.userCap) until = Math.max(until, this.sent[this.sent.length - this.userCap] + MINUTE_MS);
		}
		const limit = this.limit;
		const used = this.counted === 'submits' ? this.windowSubmits : this.windowAll;
		if (limit !== undefined && this.counts(kind) && used >= limit) {
			// Unknown whether checks count: one status check a window may go past the limit to find out.
			const modeProbe = this.counted === 'unknown' && !STARTS_A_JOB.includes(kind) && !this.modeProbeSent && !this.probing;
			// Window length known: hold until it ends. Unknown: one probe at a time finds the end.
			if (this.windowEnd !== undefined) {
				if (!modeProbe) until = Math.max(until, this.windowEnd);
			} else if (this.probing) return Number.POSITIVE_INFINITY;
		}
		return Math.max(0, until - now);
	}

	private rollWindow(now: number): void {
		if (this.windowEnd === undefined || this.windowMs === undefined || now < this.windowEnd) return;
		const skipped = Math.floor((now - this.windowEnd) / this.windowMs) + 1;
		this.windowEnd += skipped * this.windowMs;
		this.windowAll = 0;
		this.windowSubmits = 0;
		this.modeProbeSent = false;
	}

	private grant(kind: RequestKind): Ticket {
		const at = this.now();
		const serial = kind !== 'long';
		const startsJob = STARTS_A_JOB.includes(kind);
		const slot = { at };
		if (serial) this.open.add(slot);
		if (this.userCap) this.sent.push(at);
		const limit = this.limit;
		const over = limit !== undefined && this.counts(kind) && (this.counted === 'submits' ? this.windowSubmits : this.windowAll) >= limit;
		// Past the limit: a probe for the window's end, or (window known) for whether checks count.
		const probe = over && this.windowEnd === undefined;
		const modeProbe = over && this.counted === 'unknown' && !startsJob;
		if (probe) this.probing = true;
		if (modeProbe) this.modeProbeSent = true;
		this.windowAll++;
		if (startsJob) this.windowSubmits++;
		this.inFlight++;
		if (startsJob) this.inFlightSubmits++;
		let settled = false;
		const settle = () => {
			if (settled) return false;
			settled = true;
			this.inFlight--;
			if (startsJob) this.inFlightSubmits--;
			this.open.delete(slot);
			if (probe) this.probing = false;
			return true;
		};
		return {
			done: () => {
				if (!settle()) return;
				// A status check went through past the limit: the limit counts only submits.
				if (modeProbe && this.counted === 'unknown') this.onlySubmitsCount();
				this.pump();
			},
			rateLimited: (pauseMs, told) => {
				if (!settle()) return;
				if (!startsJob) this.counted = 'all';
				this.onRateLimited(this.now(), pauseMs, told, startsJob);
				this.pump();
			},
		};
	}

	private onlySubmitsCount(): void {
		this.counted = 'submits';
		this.limitSubmits ??= this.limitAll;
	}

	private onRateLimited(now: number, pauseMs: number, told: boolean, startsJob: boolean): void {
		const resetAt = now + Math.max(0, pauseMs);
		const pausing = resetAt > this.pauseEnd;
		if (pausing) this.pauseEnd = resetAt;
		if (told) this.learn(resetAt, startsJob);
		if (pausing) {
			const info: PauseInfo = { pauseMs: resetAt - now, limit: this.limit, windowMs: this.windowMs };
			for (const member of this.members.values()) member.onPause?.(info);
		}
	}

	private learn(resetAt: number, startsJob: boolean): void {
		// The requests this window let through: all granted in it but the ones that got a 429.
		// (Requests still in flight may yet get one too; the next window corrects the estimate.)
		const estimate = (previous: number | undefined, granted: number, inFlight: number) => {
			const allowed = Math.max(1, granted - inFlight);
			return previous === undefined ? allowed : Math.min(Math.max(previous, allowed), allowed + inFlight);
		};
		this.limitAll = estimate(this.limitAll, this.windowAll - 1, this.inFlight);
		if (startsJob) this.limitSubmits = estimate(this.limitSubmits, this.windowSubmits - 1, this.inFlightSubmits);
		if (this.lastResetAt !== undefined && resetAt - this.lastResetAt > 250) {
			const length = resetAt - this.lastResetAt;
			this.windowMs = this.windowMs === undefined ? length : Math.min(this.windowMs, length);
		}
		if (this.lastResetAt === undefined || resetAt > this.lastResetAt + 250) this.lastResetAt = resetAt;
		// A new window starts at the reset time.
		this.windowAll = 0;
		this.windowSubmits = 0;
		this.modeProbeSent = false;
		this.windowEnd = this.windowMs !== undefined ? resetAt + this.windowMs : undefined;
	}

	/** Grant what may go now; otherwise wake up when the next one may. */
	private pump(): void {
		if (this.closed) return;
		while (this.queue.length) {
			let index = 0;
			let delay = this.delayMs(this.queue[0].kind);
			if (delay > 0) {
				// The head waits for a full window: a status check behind it may still go as the probe
				// that finds out whether checks count at all.
				const other = this.queue.findIndex((w) => !STARTS_A_JOB.includes(w.kind) && w.kind !== 'result');
				const otherDelay = other > 0 ? this.delayMs(this.queue[other].kind) : Number.POSITIVE_INFINITY;
				if (otherDelay < delay) {
					index = other;
					delay = otherDelay;
				}
			}
			if (delay > 0) {
				if (Number.isFinite(delay)) this.wakeIn(delay);
				return;
			}
			const [next] = this.queue.splice(index, 1);
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
