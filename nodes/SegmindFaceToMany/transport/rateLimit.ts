import { startsJob, type RequestKind } from './requestKind';

/** Which requests the server's limit counts, as far as the 429s have shown. */
export type Counted = 'unknown' | 'all' | 'submits';

/** Clean windows a process must have been held back by its estimate before it probes above it; doubles after each failed probe, up to this. */
export const MAX_PROBE_GAP = 32;

/** A probe above the estimate starts no earlier than this share into the window (the other users of the key have had their turn by then). */
export const PROBE_AFTER_SHARE = 0.5;

/** Two reset times closer than this are the same one. */
const SAME_RESET_MS = 250;

/** What a granted request was, for when its answer comes. */
export interface GrantNote {
	readonly startsJob: boolean;
	/** The window it was granted in (the learner's count). */
	readonly window: number;
	/** Let past the estimate to find where the window ends (its length is not known yet). */
	readonly endProbe?: boolean;
	/** A status check let past the estimate to find whether checks count at all. */
	readonly modeProbe?: boolean;
	/** Let past the estimate to find whether the limit has room for more. */
	readonly raise?: boolean;
}

/**
 * What an API key's 429s have taught, as an estimate kept between executions (no timer: plain
 * state, moved on by the clock readings it is given).
 *
 * - The window: from a 429's reset time, the window's end; from two reset times, its length.
 * - The limit: how many requests a window let through for this process (all requests, or only
 *   submits). Further requests wait for the next window, so the server need not say no again.
 *   While the window's length is unknown, one request at a time goes past the limit to find it.
 * - Whether status checks count (Segmind does not document it): a 429 on a status check or
 *   result shows they do; a status check that goes through past the limit shows only submits
 *   count. Until one of these is seen every request counts, and at most one status check a
 *   window is let past the limit to find out.
 * - Recovery: the estimate is not a ceiling forever (other processes sharing the key may have
 *   stopped, the plan may have grown). After `probeGap` clean windows in which this process was
 *   held back by its estimate, the next window lets requests past it, one at a time and from
 *   halfway through the window on. If they go through, the estimate grows to what the window let
 *   through and the gap is 1 again; the first 429 sets the estimate from what the window let
 *   through, and if that is no more than before, the probe failed and the gap doubles (1, 2, 4…
 *   up to MAX_PROBE_GAP windows). A 429 outside a probe (another user of the key took more)
 *   lowers the estimate and sets the gap to 1. So processes sharing a key converge to shares
 *   that add up to the limit, and a process pays one 429 per change of its share, plus one per
 *   failed probe (their number grows with the logarithm of the windows).
 */
export class RateLimitLearner {
	/** Until when (epoch ms) a 429 has paused every request. */
	pauseEnd = 0;

	counted: Counted = 'unknown';

	windowMs?: number;

	private readonly limits: { all?: number; submits?: number } = {};

	private windowEnd?: number;

	private lastResetAt?: number;

	/** The current window's number (requests remember the window they were granted in). */
	private window = 0;

	/** Requests granted in the current window, and those of them still unanswered. */
	private used = { all: 0, submits: 0 };

	private inFlight = { all: 0, submits: 0 };

	private modeProbeSent = false;

	private endProbeOut = false;

	private raiseOut = false;

	/** Requests past the estimate that went through in this window. */
	private raised = 0;

	/** In this window a request waited for the next one because of the estimate. */
	private heldBack = false;

	private cleanHeld = 0;

	private probeGap = 1;

	/** This window may go past the estimate (a probe). */
	private raising = false;

	/** Requests a window lets through, as far as known (all requests, or only submits: see `counts`). */
	get limit(): number | undefined {
		return this.counted === 'submits' ? this.limits.submits : this.limits.all;
	}

	/** True once the limit and where the window ends are known: the per-window count bounds sending. */
	get known(): boolean {
		return this.limit !== undefined && this.windowEnd !== undefined;
	}

	/** True when status checks are scarce: a limit that counts them is known. */
	get constrained(): boolean {
		return this.limits.all !== undefined && this.counted !== 'submits';
	}

	get learned(): { limit?: number; windowMs?: number; counts: Counted } {
		return { limit: this.limit, windowMs: this.windowMs, counts: this.counted };
	}

	/** Ms until a request of this kind may go as far as the limit goes (0: now; Infinity: when a probe's answer comes). */
	delayMs(kind: RequestKind, now: number): number {
		this.roll(now);
		const paused = Math.max(0, this.pauseEnd - now);
		if (!this.over(kind) || this.probeFor(kind, now)) return paused;
		if (this.windowEnd === undefined) return Number.POSITIVE_INFINITY;
		this.heldBack = true;
		// A probe window lets one request past the estimate from its middle on.
		const next = this.raising && !this.raiseOut ? this.probeStart() : this.windowEnd;
		return Math.max(paused, next - now);
	}

	/** When a probe above the estimate may start in this window. */
	private probeStart(): number {
		return this.windowEnd! - (this.windowMs ?? 0) * (1 - PROBE_AFTER_SHARE);
	}

	/** A request of this kind goes now. */
	grant(kind: RequestKind, now: number): GrantNote {
		this.roll(now);
		const job = startsJob(kind);
		const probe = this.over(kind) ? this.probeFor(kind, now) : undefined;
		if (probe?.endProbe) this.endProbeOut = true;
		if (probe?.modeProbe) this.modeProbeSent = true;
		if (probe?.raise) this.raiseOut = true;
		this.used.all++;
		this.inFlight.all++;
		if (job) {
			this.used.submits++;
			this.inFlight.submits++;
		}
		return { startsJob: job, window: this.window, ...probe };
	}

	/** Its answer came (or it failed without one): not a 429. */
	answered(note: GrantNote): void {
		this.settle(note);
		// A status check went through past the limit: the limit counts only submits.
		if (note.modeProbe && this.counted === 'unknown') {
			this.counted = 'submits';
			this.limits.submits ??= this.limits.all;
		}
		if (note.raise && note.window === this.window) this.raised++;
	}

	/**
	 * A 429: everyone pauses until `now + pauseMs`; `told` when the server gave the reset time (then
	 * the limit and the window are learned from it). Returns true when this starts a new pause.
	 */
	rateLimited(note: GrantNote, now: number, pauseMs: number, told: boolean): boolean {
		this.settle(note);
		if (!note.startsJob) this.counted = 'all';
		const resetAt = now + Math.max(0, pauseMs);
		const pausing = resetAt > this.pauseEnd;
		if (pausing) this.pauseEnd = resetAt;
		// A request granted before the window this process learned from its first 429 (it was in
		// flight then) adds nothing: that 429 already counted it as possibly refused.
		if (told && note.window === this.window) this.learn(resetAt, note.startsJob);
		return pausing;
	}

	private over(kind: RequestKind): boolean {
		const limit = this.limit;
		if (limit === undefined) return false;
		if (this.counted === 'submits' && !startsJob(kind)) return false;
		return (this.counted === 'submits' ? this.used.submits : this.used.all) >= limit;
	}

	/** Which probe a request past the limit would be, if one may go now. */
	private probeFor(kind: RequestKind, now: number): Pick<GrantNote, 'endProbe' | 'modeProbe' | 'raise'> | undefined {
		const modeProbe = this.counted === 'unknown' && !startsJob(kind) && !this.modeProbeSent;
		if (this.windowEnd === undefined) return this.endProbeOut ? undefined : { endProbe: true, modeProbe };
		if (modeProbe) return { modeProbe };
		if (this.raising && !this.raiseOut && now >= this.probeStart()) return { raise: true };
		return undefined;
	}

	private settle(note: GrantNote): void {
		if (note.window === this.window) {
			this.inFlight.all--;
			if (note.startsJob) this.inFlight.submits--;
		}
		if (note.endProbe) this.endProbeOut = false;
		if (note.raise) this.raiseOut = false;
	}

	private learn(resetAt: number, startedJob: boolean): void {
		// The requests this window let through: all granted in it but the one that got a 429.
		// (Requests still in flight may yet get one too: the estimate lies between.)
		const estimate = (previous: number | undefined, granted: number, inFlight: number) => {
			const allowed = Math.max(1, granted - inFlight);
			return previous === undefined ? allowed : Math.min(Math.max(previous, allowed), allowed + inFlight);
		};
		const before = this.limit;
		this.limits.all = estimate(this.limits.all, this.used.all - 1, this.inFlight.all);
		if (startedJob) this.limits.submits = estimate(this.limits.submits, this.used.submits - 1, this.inFlight.submits);
		const after = this.limit;
		if (this.raising) {
			// A probe: it found room (the estimate grew), or it did not and waits twice as long.
			this.probeGap = after !== undefined && before !== undefined && after > before ? 1 : Math.min(MAX_PROBE_GAP, this.probeGap * 2);
		} else if (before !== undefined && after !== undefined && after < before) {
			// Someone else took more of the limit: look for this process's new share soon.
			this.probeGap = 1;
		}
		this.cleanHeld = 0;
		if (this.lastResetAt !== undefined && resetAt - this.lastResetAt > SAME_RESET_MS) {
			const length = resetAt - this.lastResetAt;
			this.windowMs = this.windowMs === undefined ? length : Math.min(this.windowMs, length);
		}
		if (this.lastResetAt === undefined || resetAt > this.lastResetAt + SAME_RESET_MS) this.lastResetAt = resetAt;
		// A new window starts at the reset time.
		this.nextWindow(this.windowMs !== undefined ? resetAt + this.windowMs : undefined, false);
	}

	/** Move to the window `now` is in, closing the one that ended (several if idle). */
	private roll(now: number): void {
		if (this.windowEnd === undefined || this.windowMs === undefined || now < this.windowEnd) return;
		const skipped = Math.floor((now - this.windowEnd) / this.windowMs) + 1;
		const key = this.counted === 'submits' ? 'submits' : 'all';
		let probeNext = false;
		if (this.raising) {
			// Probes went through and no 429 came: the window had room for all that was sent.
			if (this.raised > 0) {
				this.limits[key] = Math.max(this.limits[key] ?? 0, this.used[key]);
				this.probeGap = 1;
			}
			this.cleanHeld = 0;
		} else if (this.heldBack) {
			this.cleanHeld++;
			probeNext = skipped === 1 && this.cleanHeld >= this.probeGap;
		}
		this.nextWindow(this.windowEnd + skipped * this.windowMs, probeNext);
	}

	private nextWindow(end: number | undefined, raising: boolean): void {
		this.window++;
		this.windowEnd = end;
		this.used = { all: 0, submits: 0 };
		this.inFlight = { all: 0, submits: 0 };
		this.modeProbeSent = false;
		this.heldBack = false;
		this.raised = 0;
		this.raising = raising;
	}
}
