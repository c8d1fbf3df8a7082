/**
 * The window's length assumed from the first reset time until a second one shows it (Segmind's
 * limits are per minute): requests are counted in windows of this length meanwhile, while spaced
 * probes look for an earlier end.
 */
export const ASSUMED_WINDOW_MS = 60_000;

/**
 * While the window's length is only assumed, probes for an earlier end go one at a time: the
 * first this long after the window began, each next twice as long after the last, up to
 * END_PROBE_MAX_GAP_MS.
 */
export const END_PROBE_FIRST_GAP_MS = 250;

export const END_PROBE_MAX_GAP_MS = 8000;

/** Two reset times closer than this are the same one. */
export const SAME_RESET_MS = 250;

/**
 * Where a key's rate-limit windows lie, from the reset times its 429s gave: the current
 * window's end, and the windows' length (learned from two reset times, a minute until then).
 */
export class LimitWindows {
	/** The length two reset times showed (undefined: a minute is assumed). */
	lengthMs?: number;

	/** The end of the current window (undefined before the first reset time). */
	end?: number;

	private lastResetAt?: number;

	/** A probe for an earlier end is out; when the next may go, and the gap after it. */
	private endProbeOut = false;

	private endProbeAt = 0;

	private endProbeGapMs = END_PROBE_FIRST_GAP_MS;

	/** The windows' length: learned, or assumed. */
	get length(): number {
		return this.lengthMs ?? ASSUMED_WINDOW_MS;
	}

	/** The server said the limit resets at `resetAt`: a window ends there and the next begins. */
	reset(resetAt: number): void {
		this.learnLength(resetAt);
		if (this.lastResetAt === undefined || resetAt > this.lastResetAt + SAME_RESET_MS) this.lastResetAt = resetAt;
		this.end = resetAt + this.length;
		this.endProbeAt = resetAt + END_PROBE_FIRST_GAP_MS;
		this.endProbeGapMs = 2 * END_PROBE_FIRST_GAP_MS;
	}

	/** Move to the window `now` is in: how many windows ended (0: still in the same one). */
	roll(now: number): number {
		if (this.end === undefined || now < this.end) return 0;
		const ended = Math.floor((now - this.end) / this.length) + 1;
		this.end += ended * this.length;
		return ended;
	}

	/** When a probe above the estimate may start in the current window: its middle. */
	middle(share: number): number {
		return (this.end ?? 0) - this.length * (1 - share);
	}

	/** While the length is only assumed: whether a probe for an earlier end may go now. */
	endProbeDue(now: number): boolean {
		return this.lengthMs === undefined && !this.endProbeOut && now >= this.endProbeAt;
	}

	/** When the next request past the count may go while the length is only assumed. */
	nextEndProbe(): number {
		const end = this.end ?? Number.POSITIVE_INFINITY;
		return this.endProbeOut ? end : Math.min(end, this.endProbeAt);
	}

	endProbeSent(now: number): void {
		this.endProbeOut = true;
		this.endProbeAt = now + this.endProbeGapMs;
		this.endProbeGapMs = Math.min(END_PROBE_MAX_GAP_MS, 2 * this.endProbeGapMs);
	}

	endProbeAnswered(): void {
		this.endProbeOut = false;
	}

	/**
	 * The length, from a new reset time: one where the windows counted so far (of the length
	 * learned, or assumed) end confirms that length; one elsewhere shows a shorter length: the
	 * time since the last reset (windows may have passed between them unrefused, so the shortest
	 * such time is kept).
	 */
	private learnLength(resetAt: number): void {
		const last = this.lastResetAt;
		if (last === undefined || resetAt - last <= SAME_RESET_MS) return;
		const offset = (resetAt - last) % this.length;
		if (offset <= SAME_RESET_MS || this.length - offset <= SAME_RESET_MS) {
			this.lengthMs ??= this.length;
			return;
		}
		this.lengthMs = Math.min(this.lengthMs ?? Number.POSITIVE_INFINITY, resetAt - last);
	}
}
