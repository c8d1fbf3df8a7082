import { sleep } from 'n8n-workflow';

import { ITEM_DEADLINE, TransportError } from './transportError';

/**
 * An item's Timeout, counted from its first request (one refused with a 429 does not count: it
 * only said to wait in line). Before that the item only waits in line for the request budget (a
 * batch larger than the rate limit allows queues its later items): it has sent nothing and costs
 * nothing, so that wait is not its time. From its first request on, every request, retry and
 * wait for the budget ends at `timeoutMs` after that start.
 */
export class ItemClock {
	private startedAt?: number;

	constructor(readonly timeoutMs: number) {}

	/** The item's first request is on its way (later calls change nothing). Returns true when this call started it. */
	start(): boolean {
		if (this.startedAt !== undefined) return false;
		this.startedAt = Date.now();
		return true;
	}

	/**
	 * The request that started the clock was refused with a 429: nothing was created, Segmind
	 * only said to wait in line, so the item has not started yet (its next try starts it).
	 */
	unstart(): void {
		this.startedAt = undefined;
	}

	/** Epoch ms the item's time runs out; undefined until it has started. */
	get deadline(): number | undefined {
		return this.startedAt === undefined ? undefined : this.startedAt + this.timeoutMs;
	}
}

/**
 * The item's time ran out. `sent`: whether the request was sent; `lastTry`: what its last try
 * got (e.g. "HTTP 503"), when there was one.
 */
export function itemTimeUp(sent: boolean, lastTry?: string): TransportError {
	return new TransportError(ITEM_DEADLINE, lastTry ?? 'the request could not be sent in time', sent, lastTry);
}

/**
 * A point in time after which a piece of work is abandoned: `signal` aborts at `at` (epoch ms)
 * or when `parent` aborts (the user's Stop), whichever comes first; `expired` says it was the
 * time. Uses n8n's sleep (with a signal, so `dispose()` clears the timer on n8n >= 2.34).
 */
export class Deadline {
	readonly signal: AbortSignal;

	private readonly controller = new AbortController();

	private readonly timer = new AbortController();

	private fired = false;

	private readonly onParentAbort = () => this.controller.abort();

	constructor(
		readonly at: number,
		private readonly parent?: AbortSignal,
	) {
		this.signal = this.controller.signal;
		if (parent?.aborted) {
			this.controller.abort();
			return;
		}
		parent?.addEventListener('abort', this.onParentAbort, { once: true });
		const ms = at - Date.now();
		if (ms <= 0) {
			this.fire();
			return;
		}
		sleep(ms, this.timer.signal).then(
			() => this.fire(),
			() => undefined,
		);
	}

	/** True once the time ran out (and not because of the parent). */
	get expired(): boolean {
		return this.fired;
	}

	/** Resolves when the time runs out or the parent aborts (at once if it already has). */
	async reached(): Promise<void> {
		if (this.signal.aborted) return;
		await new Promise<void>((resolve) => this.signal.addEventListener('abort', () => resolve(), { once: true }));
	}

	private fire(): void {
		if (this.controller.signal.aborted) return;
		this.fired = true;
		this.controller.abort();
		this.parent?.removeEventListener('abort', this.onParentAbort);
	}

	/** Release the timer and the parent's listener (the work is over). */
	dispose(): void {
		this.timer.abort();
		this.parent?.removeEventListener('abort', this.onParentAbort);
	}
}
