import { sleep } from 'n8n-workflow';

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
