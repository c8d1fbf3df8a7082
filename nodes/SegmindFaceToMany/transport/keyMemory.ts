/** How long what was learned about a key is kept after its last execution ended. */
export const REMEMBER_MS = 3_600_000;

/** Keys remembered at most (the least recently used are forgotten first). */
export const REMEMBERED_KEYS = 100;

/**
 * What was learned per key (by its fingerprint, never the key), kept between executions: for
 * REMEMBER_MS after it was last used, and for the REMEMBERED_KEYS most recently used keys. No
 * timer: what is too old is dropped whenever the memory is used.
 */
export class KeyMemory<T> {
	/** In the order of last use, oldest first. */
	private readonly entries = new Map<string, { value: T; usedAt: number }>();

	constructor(
		private readonly create: () => T,
		private readonly keepMs = REMEMBER_MS,
		private readonly max = REMEMBERED_KEYS,
	) {}

	/** What is remembered of `id`, or a fresh value when nothing (or only something too old) is. */
	recall(id: string, now: number): T {
		this.forgetOld(now);
		const entry = this.entries.get(id);
		if (entry) return entry.value;
		const value = this.create();
		this.keep(id, value, now);
		return value;
	}

	/** Remember `value` for `id` as used at `now`. */
	keep(id: string, value: T, now: number): void {
		this.entries.delete(id);
		this.entries.set(id, { value, usedAt: now });
		for (const oldest of this.entries.keys()) {
			if (this.entries.size <= this.max) break;
			this.entries.delete(oldest);
		}
	}

	/** What is remembered of `id`, without marking it used. */
	peek(id: string): T | undefined {
		return this.entries.get(id)?.value;
	}

	/** Keys remembered now. */
	size(now: number): number {
		this.forgetOld(now);
		return this.entries.size;
	}

	/** Forget everything (tests). */
	clear(): void {
		this.entries.clear();
	}

	private forgetOld(now: number): void {
		for (const [id, entry] of this.entries) if (entry.usedAt + this.keepMs <= now) this.entries.delete(id);
	}
}
