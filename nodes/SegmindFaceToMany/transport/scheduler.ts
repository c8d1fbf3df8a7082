import { sleep } from 'n8n-workflow';

import { throwIfAborted } from '../helpers/abort';
import { RateLimitLearner } from './rateLimit';
import { PRIORITY, SCARCE_PRIORITY, type RequestKind } from './requestKind';
import { RequestQueue } from './requestQueue';
import { SendWindow } from './sendWindow';
import { UserCap } from './userCap';

export type { RequestKind } from './requestKind';

/** What the HTTP layer needs from a request budget (see RequestBudget and BudgetLease). */
export interface RequestScheduler {
	/**
	 * Wait until a request of this kind may go. Rejects with ExecutionCancelledError when `signal`
	 * aborts. `due`: epoch ms its item runs out of time (status checks nearer it go first).
	 */
	acquire(kind: RequestKind, signal?: AbortSignal, due?: number): Promise<Ticket>;
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
	/** What the key's 429s taught so far (kept between executions, see budgets.ts). */
	limits?: RateLimitLearner;
}

/** A granted request; report how it went so the budget can learn the server's limit. */
export interface Ticket {
	/** A 429: pause everyone for `pauseMs`; `resetInMs`: when the server said its limit resets (undefined: not said). */
	rateLimited(pauseMs: number, resetInMs?: number): void;
	/** Any other answer. */
	done(): void;
	/** No answer: the connection failed or the request ran out of time. */
	failed(): void;
}

/**
 * One request budget for an API key: every request that carries the key waits for it. One is
 * shared by all executions that use the same credential in this n8n process (see budgets.ts);
 * it can also be used on its own (tests). A request goes when all of these let it:
 * - the limit the key's 429s taught (RateLimitLearner): a 429 pauses everyone until the reset
 *   time, and afterwards at most the learned number go per window (probing upward now and then);
 * - the window of requests in flight (SendWindow): small while the limit is unknown, growing
 *   with every clean answer, cut by a 429;
 * - "Max Requests per Minute" (UserCap), the smallest of the members' caps.
 * Requests wait in turn (RequestQueue: results, then other requests, then submits, then status
 * checks; while a limit that counts checks is known, status checks before submits; within a
 * kind, by their item's deadline). Only requests that carry the API key go through it: public
 * image downloads are not limited.
 */
export class RequestBudget implements RequestScheduler {
	readonly limits: RateLimitLearner;

	private readonly now: () => number;

	private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

	private readonly members = new Map<object, BudgetMember>();

	private readonly queue = new RequestQueue<Ticket>();

	private readonly cap = new UserCap();

	private readonly window = new SendWindow();

	private wake?: { at: number; controller: AbortController };

	private closed = false;

	constructor(options: SchedulerOptions = {}) {
		this.now = options.now ?? Date.now;
		this.sleep = options.sleep ?? (async (ms, signal) => await sleep(ms, signal));
		this.limits = options.limits ?? new RateLimitLearner();
		if (options.maxRequestsPerMinute || options.onPause) this.join(this, options);
	}

	get constrained(): boolean {
		return this.cap.perMinute > 0 || this.limits.constrained;
	}

	get pausedUntil(): number {
		return this.limits.pauseEnd;
	}

	/** What the budget learned, for tests and the log. */
	get learned(): RateLimitLearner['learned'] {
		return this.limits.learned;
	}

	/** Requests that may be in flight at once now (tests). */
	get inFlightLimit(): number {
		return this.window.limit;
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
		this.queue.cancel(owner);
		this.updateCap();
		this.pump();
	}

	/**
	 * Wait until this request may go. Rejects with ExecutionCancelledError when `signal` aborts
	 * or when `owner` leaves the budget.
	 */
	async acquire(kind: RequestKind, signal?: AbortSignal, due?: number, owner?: object): Promise<Ticket> {
		throwIfAborted(signal);
		if (this.closed || (this.queue.length === 0 && this.delayMs(kind) === 0)) return this.grant(kind);
		const granted = this.queue.enter(kind, { signal, owner, due, onLeave: () => this.pump() });
		this.pump();
		return await granted;
	}

	/** The end: release the wake-up timer and whoever still waits; later acquires are granted at once. */
	close(): void {
		this.closed = true;
		this.wake?.controller.abort();
		this.wake = undefined;
		this.queue.cancel();
		this.members.clear();
	}

	private updateCap(): void {
		const caps = [...this.members.values()].map((m) => m.maxRequestsPerMinute ?? 0).filter((cap) => cap > 0);
		this.cap.perMinute = caps.length ? Math.min(...caps) : 0;
	}

	/** Milliseconds until a request of this kind may go (0: now). */
	private delayMs(kind: RequestKind): number {
		const now = this.now();
		const inFlight = kind === 'long' ? 0 : this.window.delayMs(now, this.limits.known);
		return Math.max(this.limits.delayMs(kind, now), this.cap.delayMs(now), inFlight);
	}

	private grant(kind: RequestKind): Ticket {
		const now = this.now();
		const note = this.limits.grant(kind, now);
		this.cap.record(now);
		const slot = kind === 'long' ? undefined : this.window.enter(now);
		let settled = false;
		const settle = (outcome: 'clean' | 'failed' | 'rateLimited') => {
			if (settled) return false;
			settled = true;
			if (slot) this.window.leave(slot, outcome);
			return true;
		};
		const answered = (outcome: 'clean' | 'failed') => {
			if (!settle(outcome)) return;
			this.limits.answered(note);
			this.pump();
		};
		return {
			done: () => answered('clean'),
			failed: () => answered('failed'),
			rateLimited: (pauseMs, resetInMs) => {
				if (!settle('rateLimited')) return;
				const now = this.now();
				if (this.limits.rateLimited(note, now, pauseMs, resetInMs)) {
					const { limit, windowMs } = this.limits.learned;
					const info: PauseInfo = { pauseMs: this.limits.pauseEnd - now, limit, windowMs };
					for (const member of this.members.values()) member.onPause?.(info);
				}
				this.pump();
			},
		};
	}

	/** Grant, in turn, what may go now; otherwise wake up when the first one may. */
	private pump(): void {
		if (this.closed) return;
		this.queue.rankBy(this.limits.constrained ? SCARCE_PRIORITY : PRIORITY);
		for (;;) {
			// Whether a request may go depends only on its kind: ask once per kind.
			const delays = new Map<RequestKind, number>();
			let next: (typeof waiting)[number] | undefined;
			let soonest = Number.POSITIVE_INFINITY;
			const waiting = this.queue.inTurn();
			for (const waiter of waiting) {
				let delay = delays.get(waiter.kind);
				if (delay === undefined) {
					delay = this.delayMs(waiter.kind);
					delays.set(waiter.kind, delay);
				}
				if (delay === 0) {
					next = waiter;
					break;
				}
				soonest = Math.min(soonest, delay);
			}
			if (!next) {
				if (Number.isFinite(soonest)) this.wakeIn(soonest);
				return;
			}
			this.queue.remove(next);
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
