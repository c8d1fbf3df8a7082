/**
 * Run `worker` over `items` with at most `limit` in flight, keeping results in input order.
 * A rejected worker rejects the whole map (the router turns per-item failures into values first).
 */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	worker: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failed = false;
	const lane = async () => {
		while (!failed && next < items.length) {
			const index = next++;
			try {
				results[index] = await worker(items[index], index);
			} catch (error) {
				failed = true;
				throw error;
			}
		}
	};
	const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane);
	await Promise.all(lanes);
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
