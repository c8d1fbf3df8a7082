import type { Headers } from './wire';
import { itemTimeUp } from './deadline';
import type { TransportError } from './transportError';

/**
 * When a request may be sent again.
 * - `idempotent`: GETs (and the free asset upload); retry 429, 5xx and any connection failure.
 * - `submit`: a POST that creates a billed job; retry only when no job can exist: a 429, or a
 *   connection that failed before the request was sent. A 5xx, a reset or a timeout after
 *   sending does not prove that no job was created, so they are never retried.
 */
export type RetryMode = 'idempotent' | 'submit';

/** An answer as the retry decision sees it. */
interface Answered {
	statusCode: number;
	headers: Headers;
	body: unknown;
}

/** Whether a failure without an answer may be tried again (the item's own deadline never is). */
export function retriesFailure(failure: TransportError, mode: RetryMode): boolean {
	return !failure.itemDeadline && (mode === 'idempotent' || failure.neverSent);
}

/**
 * Whether an answer is tried again: a 429 always (it created nothing); for idempotent requests
 * a 5xx, or a 2xx that is not `usable` (e.g. unreadable JSON).
 */
export function retriesAnswer(answer: Answered, mode: RetryMode, usable?: (answer: Answered) => boolean): boolean {
	const { statusCode } = answer;
	if (statusCode === 429) return true;
	if (mode !== 'idempotent') return false;
	return statusCode >= 500 || (statusCode >= 200 && statusCode < 300 && usable !== undefined && !usable(answer));
}

/** How an answer reads as the last try before the time ran out. */
export function describeTry(statusCode: number, waitMs: number): string {
	return statusCode === 429 ? `HTTP 429, asked to wait ${Math.round(waitMs / 1000)} s` : `HTTP ${statusCode}`;
}

/**
 * When the next try may start, fitted to two deadlines:
 * - `softDeadline` (epoch ms; the job's own timeout for status checks): a wait that would pass
 *   it is cut short to one last try at it, and past it nothing is retried;
 * - the item's deadline (`itemDeadline()`, once it has started): a try that could not start
 *   before it is no try, the item's time ran out (TransportError ITEM_DEADLINE, naming the last
 *   answer a try got, or else what the last try came to).
 */
export class RetryTiming {
	private lastTryDone = false;

	/** What the last answered try got, e.g. "HTTP 503". */
	private lastAnswer?: string;

	constructor(
		private readonly softDeadline: number | undefined,
		private readonly itemDeadline: () => number | undefined,
	) {}

	/** Remember what an answered try got (named when the item's time runs out later). */
	answered(description: string): void {
		this.lastAnswer = description;
	}

	/** The item's time ran out during a try that got no answer: name the last answer there was. */
	timeUp(failure: TransportError): TransportError {
		return this.lastAnswer === undefined ? failure : itemTimeUp(failure.sent !== false, this.lastAnswer);
	}

	/**
	 * The wait before the next try (`waitMs` undefined: no try is left), or `timeUp` when the
	 * item's time runs out first. `sent`, `lastTry`: whether the last try was sent and what it got.
	 */
	nextTry(delayMs: number, sent: boolean, lastTry: string): { waitMs?: number } | { timeUp: TransportError } {
		const itemEnd = this.itemDeadline();
		if (itemEnd !== undefined && Date.now() + delayMs >= itemEnd) return { timeUp: itemTimeUp(sent, lastTry) };
		if (this.lastTryDone) return {};
		if (this.softDeadline === undefined) return { waitMs: delayMs };
		const left = this.softDeadline - Date.now();
		if (left <= 0) return {};
		if (left <= delayMs) this.lastTryDone = true;
		return { waitMs: Math.min(delayMs, left) };
	}
}
