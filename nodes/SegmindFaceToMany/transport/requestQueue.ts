import { ExecutionCancelledError } from '../helpers/abort';
import { PRIORITY, type RequestKind } from './requestKind';

/** A request waiting for its turn. */
export interface Waiter<T> {
	readonly kind: RequestKind;
	/** Epoch ms the item behind it runs out of time (infinite before its first request): nearer goes first. */
	readonly due: number;
	readonly seq: number;
	readonly owner?: object;
	grant(value: T): void;
	fail(error: Error): void;
}

/** Rank of each kind (lower goes first). */
export type Ranking = Record<RequestKind, number>;

/**
 * The requests waiting for a request budget, in the order they should go: by kind (see
 * PRIORITY), then by their item's deadline (an item that has started, e.g. a submit retried
 * after a 429, goes before those that have not), then first come first served.
 */
export class RequestQueue<T> {
	private readonly waiting: Array<Waiter<T>> = [];

	private seq = 0;

	private rank: Ranking = PRIORITY;

	private readonly byTurn = (a: Waiter<T>, b: Waiter<T>) => this.rank[a.kind] - this.rank[b.kind] || compareDue(a.due, b.due) || a.seq - b.seq;

	/** Order by `rank` from now on. */
	rankBy(rank: Ranking): void {
		if (rank === this.rank) return;
		this.rank = rank;
		this.waiting.sort(this.byTurn);
	}

	get length(): number {
		return this.waiting.length;
	}

	/** Waiters in turn order. */
	inTurn(): ReadonlyArray<Waiter<T>> {
		return this.waiting;
	}

	/**
	 * Take a place in line; the promise settles when `grant` or `fail` is called on it. A `signal`
	 * abort leaves the line at once (ExecutionCancelledError) and calls `onLeave`.
	 */
	async enter(kind: RequestKind, options: { signal?: AbortSignal; owner?: object; due?: number; onLeave: () => void }): Promise<T> {
		const { signal, owner, onLeave } = options;
		return await new Promise<T>((resolve, reject) => {
			const onAbort = () => {
				this.remove(waiter);
				reject(new ExecutionCancelledError());
				onLeave();
			};
			const waiter: Waiter<T> = {
				kind,
				due: options.due ?? Number.POSITIVE_INFINITY,
				seq: this.seq++,
				owner,
				grant: (value) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(value);
				},
				fail: (error) => {
					signal?.removeEventListener('abort', onAbort);
					reject(error);
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			const at = this.waiting.findIndex((other) => this.byTurn(waiter, other) < 0);
			this.waiting.splice(at === -1 ? this.waiting.length : at, 0, waiter);
		});
	}

	/** Remove a waiter (it is about to be granted). */
	remove(waiter: Waiter<T>): void {
		const index = this.waiting.indexOf(waiter);
		if (index !== -1) this.waiting.splice(index, 1);
	}

	/** Reject the waiters of `owner` (all when undefined) with ExecutionCancelledError. */
	cancel(owner?: object): void {
		for (const waiter of this.waiting.filter((w) => owner === undefined || w.owner === owner)) {
			this.remove(waiter);
			waiter.fail(new ExecutionCancelledError());
		}
	}
}

/** Earlier first; two infinite deadlines are equal. */
function compareDue(a: number, b: number): number {
	return a === b ? 0 : a - b;
}
