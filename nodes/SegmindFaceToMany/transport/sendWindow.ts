/** Requests in flight at first, while nothing is known of the key's limit. */
export const START_IN_FLIGHT = 2;

/** Most requests in flight at once (also once the limit is known: then the per-window count bounds sending). */
export const MAX_IN_FLIGHT = 128;

/** A request unanswered this long no longer holds its place in the window (one slow answer stalls nobody). */
export const STALL_MS = 2000;

/** One short request in flight. */
export interface Slot {
	readonly at: number;
}

/**
 * How many short requests may be in flight at once (slow start, as TCP does): START_IN_FLIGHT
 * while the limit is unknown, one more for every clean answer (so it doubles every round trip)
 * up to MAX_IN_FLIGHT, and halved by a 429. When a limit is met, only the requests in flight
 * at that moment can be refused with it, so an unknown limit costs a few 429s, not a burst of
 * them; and once the server answers quickly, the window no longer bounds the rate (a 1000 a
 * minute plan is not capped at one request per round trip).
 */
export class SendWindow {
	private size = START_IN_FLIGHT;

	private readonly open = new Set<Slot>();

	/** Ms until one more request may go (0: now; Infinity: when an answer comes). `wide`: ignore the window's size. */
	delayMs(now: number, wide = false): number {
		const limit = wide ? MAX_IN_FLIGHT : this.size;
		let holding = 0;
		let firstFree = Number.POSITIVE_INFINITY;
		for (const slot of this.open) {
			if (slot.at + STALL_MS <= now) continue;
			holding++;
			firstFree = Math.min(firstFree, slot.at + STALL_MS);
		}
		return holding < limit ? 0 : firstFree - now;
	}

	/** The window's size now (for tests and the log). */
	get limit(): number {
		return this.size;
	}

	enter(now: number): Slot {
		const slot = { at: now };
		this.open.add(slot);
		return slot;
	}

	/** The answer came: `clean`, it grows by one; a 429 halves it. */
	leave(slot: Slot, outcome: 'clean' | 'failed' | 'rateLimited'): void {
		this.open.delete(slot);
		if (outcome === 'clean') this.size = Math.min(MAX_IN_FLIGHT, this.size + 1);
		if (outcome === 'rateLimited') this.size = Math.max(1, Math.floor(this.size / 2));
	}
}
