/**
 * Run `worker` over `items` with at most `limit` in flight (0: no limit), keeping results in
 * input order. Workers must not throw (the batch turns each item's failure into a value); once
 * `stop()` says so, no further item is started.
 */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	worker: (item: T, index: number) => Promise<R>,
	stop: () => boolean = () => false,
): Promise<Array<R | undefined>> {
	const results = new Array<R | undefined>(items.length);
	let next = 0;
	const lane = async () => {
		while (!stop() && next < items.length) {
			const index = next++;
			results[index] = await worker(items[index], index);
		}
	};
	const lanes = limit > 0 ? Math.min(limit, items.length) : items.length;
	await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
	return results;
}

/** At most `limit` holders at once; the others wait in order. */
export class Semaphore {
	private active = 0;

	private readonly waiting: Array<() => void> = [];

	constructor(private readonly limit: number) {}

	/** Run `work` once a place is free. */
	async use<T>(work: () => Promise<T>): Promise<T> {
		if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
		else this.active++;
		try {
			return await work();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.active--;
		}
	}
}
