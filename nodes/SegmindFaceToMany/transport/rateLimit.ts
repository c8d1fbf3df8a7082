import { startsJob, type RequestKind } from './requestKind';

/** Which requests the server's limit counts, as far as the 429s have shown. */
export type Counted = 'unknown' | 'all' | 'submits';

/** Clean windows a process must have been held back by its estimate before it probes above it; doubles after each failed probe, up to this. */
export const MAX_PROBE_GAP = 32;

/** A probe above the estimate starts no earlier than this share into the window (the other users of the key have had their turn by then). */
export const PROBE_AFTER_SHARE = 0.5;

/** A probe window lets at most this share of the estimate (at least one request) past it: the estimate at most doubles a window. */
export const PROBE_STEP_SHARE = 1;

/**
 * While the window's length is unknown, probes for its end go one at a time: the first this long
 * after the window began, each next twice as long after the last, up to END_PROBE_MAX_GAP_MS.
 */
export const END_PROBE_FIRST_GAP_MS = 250;

export const END_PROBE_MAX_GAP_MS = 8000;

/** Requests a job needs at least: its submit, a status check and its result. */
export const REQUESTS_PER_JOB = 3;

/** A status check goes during a submit's 429 pause to find whether checks count only when the reset is at least this far. */
export const MODE_PROBE_MIN_PAUSE_MS = 1000;

/**
 * The window's length assumed from the first reset time until a second one shows it (Segmind's
 * limits are per minute): requests are counted in windows of this length meanwhile, while spaced
 * probes look for an earlier end.
 */
export const ASSUMED_WINDOW_MS = 60_000;

/** Two reset times closer than this are the same one. */
const SAME_RESET_MS = 250;

/** What a granted request was, for when its answer comes. */
export interface GrantNote {
	readonly startsJob: boolean;
	/** The window it was granted in (the learner's count). */
	readonly window: number;
	/** Let past the estimate to find where the window ends (its length is not known yet). */
	readonly endProbe?: boolean;
	/** A status check sent during a submit's 429 pause, to find whether checks count at all. */
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

	/** 'open': a submit's 429 just showed the window full; one status check may go to see whether it is full for checks too. */
	private modeProbe: 'none' | 'open' | 'sent' = 'none';

	private endProbeOut = false;

	/** No end probe before this (epoch ms), and the gap after the next one. */
	private endProbeAt = 0;

	private endProbeGapMs = END_PROBE_FIRST_GAP_MS;

	private raiseOut = false;

	/** Requests past the estimate that went through in this window. */
	private raised = 0;

	/** In this window a request waited for the next one because of the estimate. */
	private heldBack = false;

	private cleanHeld = 0;

	private probeGap = 1;

	/** This window may go past the estimate (a probe). */
	private raising = false;

	/** New jobs that may start (see submitsHeld). */
	private submitCredit = 0;

	/** The window the last estimate was learned from: its requests still in flight may yet prove it higher. */
	private learnedFrom?: number;

	/** Requests a window lets through, as far as known (all requests, or only submits: see `counts`). */
	get limit(): number | undefined {
		return this.counted === 'submits' ? this.limits.submits : this.limits.all;
	}

	/** True once the limit and where the window ends are known (its length perhaps only assumed): the per-window count bounds sending. */
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
		if (this.modeProbeNow(kind, now)) return 0;
		// A 429's pause holds the requests the limit counts (all, until it is known that only submits do).
		const paused = this.counts(kind) ? Math.max(0, this.pauseEnd - now) : 0;
		if (this.windowEnd !== undefined && this.submitsHeld(kind)) return Math.max(paused, this.windowEnd - now);
		if (!this.over(kind) || this.probeFor(now)) return paused;
		if (this.windowEnd === undefined) return Number.POSITIVE_INFINITY;
		if (this.windowMs === undefined) {
			// The window's length is not known yet: a spaced probe looks for an earlier end.
			const next = this.endProbeOut ? this.windowEnd : Math.min(this.windowEnd, this.endProbeAt);
			return Math.max(paused, next - now);
		}
		this.heldBack = true;
		// A probe window lets one request past the estimate from its middle on.
		const probing = this.raising && !this.raiseOut && this.raised < this.probeStep();
		return Math.max(paused, (probing ? this.probeStart(this.windowEnd) : this.windowEnd) - now);
	}

	/** When a probe above the estimate may start in the window ending at `end`. */
	private probeStart(end: number): number {
		return end - this.windowLength() * (1 - PROBE_AFTER_SHARE);
	}

	/** The window's length: learned, or assumed until a second reset time shows it. */
	private windowLength(): number {
		return this.windowMs ?? ASSUMED_WINDOW_MS;
	}

	/** A request of this kind goes now. */
	grant(kind: RequestKind, now: number): GrantNote {
		this.roll(now);
		const job = startsJob(kind);
		if (this.modeProbeNow(kind, now)) {
			// Sent into the window that refused the submit: it does not count in the next one.
			this.modeProbe = 'sent';
			return { startsJob: job, window: this.window - 1, modeProbe: true };
		}
		const probe = this.over(kind) ? this.probeFor(now) : undefined;
		if (probe?.endProbe) {
			this.endProbeOut = true;
			this.endProbeAt = now + this.endProbeGapMs;
			this.endProbeGapMs = Math.min(END_PROBE_MAX_GAP_MS, 2 * this.endProbeGapMs);
		}
		if (probe?.raise) this.raiseOut = true;
		if (kind === 'submit' && this.paced()) this.submitCredit--;
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
		// A status check went through in a window that had just refused a submit: only submits count.
		if (note.modeProbe && this.counted === 'unknown') {
			this.counted = 'submits';
			this.limits.submits ??= this.limits.all;
		}
		if (note.raise && note.window === this.window) this.raised++;
		// In flight when a 429 taught the estimate, and let through after all: the window had room for it.
		if (note.window === this.learnedFrom && !note.modeProbe) {
			if (this.limits.all !== undefined) this.limits.all++;
			if (note.startsJob && this.limits.submits !== undefined) this.limits.submits++;
		}
	}

	/**
	 * A 429: everyone pauses until `now + pauseMs`; `resetInMs`: when the server said its limit
	 * resets (then the limit and the window are learned from it). Returns true when this starts a
	 * new pause.
	 */
	rateLimited(note: GrantNote, now: number, pauseMs: number, resetInMs?: number): boolean {
		this.settle(note);
		if (!note.startsJob) this.counted = 'all';
		const pauseEnd = now + Math.max(0, pauseMs);
		const pausing = pauseEnd > this.pauseEnd;
		if (pausing) this.pauseEnd = pauseEnd;
		// A request granted before the window this process learned from its first 429 (it was in
		// flight then) adds nothing: that 429 already counted it as possibly refused.
		if (resetInMs !== undefined && note.window === this.window) {
			this.learn(now + Math.max(0, resetInMs), note.startsJob);
			if (note.startsJob && this.counted === 'unknown' && this.modeProbe === 'none') this.modeProbe = 'open';
		}
		return pausing;
	}

	/**
	 * While the limit counts status checks, new jobs start at the pace their jobs can be finished:
	 * each needs a submit, a check and its result, so a window earns a third of its limit in
	 * submits (unused credit is kept up to one window's worth, rounded up; a limit of 1 a window
	 * starts a job every third window). A batch larger than the rate allows is fed in at that pace instead of
	 * starting jobs whose checks the limit cannot serve before their Timeout.
	 */
	private submitsHeld(kind: RequestKind): boolean {
		return kind === 'submit' && this.paced() && this.submitCredit < 1;
	}

	private paced(): boolean {
		return this.constrained && this.windowEnd !== undefined;
	}

	/** Credit for new jobs earned per window. */
	private submitShare(): number {
		return (this.limits.all ?? 0) / REQUESTS_PER_JOB;
	}

	/** The most credit kept: one window's worth, rounded up. */
	private creditCap(): number {
		return Math.max(1, Math.ceil(this.submitShare()));
	}

	private counts(kind: RequestKind): boolean {
		return this.counted !== 'submits' || startsJob(kind);
	}

	private over(kind: RequestKind): boolean {
		const limit = this.limit;
		if (limit === undefined) return false;
		if (this.counted === 'submits' && !startsJob(kind)) return false;
		return (this.counted === 'submits' ? this.used.submits : this.used.all) >= limit;
	}

	/** Which probe a request past the limit would be, if one may go now. */
	private probeFor(now: number): Pick<GrantNote, 'endProbe' | 'raise'> | undefined {
		if (this.windowEnd === undefined) return undefined;
		if (this.windowMs === undefined) return this.endProbeOut || now < this.endProbeAt ? undefined : { endProbe: true };
		if (this.raising && !this.raiseOut && now >= this.probeStart(this.windowEnd) && this.raised < this.probeStep()) return { raise: true };
		return undefined;
	}

	/** Requests a probe window may let past the estimate. */
	private probeStep(): number {
		return Math.max(1, Math.ceil((this.limit ?? 0) * PROBE_STEP_SHARE));
	}

	/**
	 * Whether a request of this kind goes now as the probe for whether status checks count: while
	 * that is unknown, right after a submit's 429 (its window is full for submits), one status
	 * check goes before the reset; if it passes, checks are not counted. (A check let past this
	 * process's own estimate proves nothing: other processes may have left room in the window.)
	 */
	private modeProbeNow(kind: RequestKind, now: number): boolean {
		return this.modeProbe === 'open' && this.counted === 'unknown' && kind === 'status' && this.pauseEnd - now >= MODE_PROBE_MIN_PAUSE_MS;
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
		this.endProbeAt = resetAt + END_PROBE_FIRST_GAP_MS;
		this.endProbeGapMs = 2 * END_PROBE_FIRST_GAP_MS;
		this.learnLength(resetAt);
		if (this.lastResetAt === undefined || resetAt > this.lastResetAt + SAME_RESET_MS) this.lastResetAt = resetAt;
		// A new window starts at the reset time.
		this.learnedFrom = this.window;
		this.submitCredit = this.creditCap();
		this.nextWindow(resetAt + this.windowLength(), false);
	}

	/**
	 * The window's length, from a new reset time: a reset where the windows counted so far (of the
	 * length learned, or assumed) said one ends confirms that length; one elsewhere shows a
	 * shorter length: the time since the last reset (windows may have passed between them
	 * unrefused, so the shortest such time is kept).
	 */
	private learnLength(resetAt: number): void {
		const last = this.lastResetAt;
		if (last === undefined || resetAt - last <= SAME_RESET_MS) return;
		const length = this.windowLength();
		const offset = (resetAt - last) % length;
		if (offset <= SAME_RESET_MS || length - offset <= SAME_RESET_MS) {
			this.windowMs ??= length;
			return;
		}
		this.windowMs = Math.min(this.windowMs ?? Number.POSITIVE_INFINITY, resetAt - last);
	}

	/** Move to the window `now` is in, closing the one that ended (several if idle). */
	private roll(now: number): void {
		if (this.windowEnd === undefined || now < this.windowEnd) return;
		const skipped = Math.floor((now - this.windowEnd) / this.windowLength()) + 1;
		const key = this.counted === 'submits' ? 'submits' : 'all';
		let probeNext = false;
		if (this.raising) {
			// Probes went through and no 429 came: the window had room for all that was sent.
			if (this.raised > 0) {
				this.limits[key] = Math.max(this.limits[key] ?? 0, this.used[key]);
				this.probeGap = 1;
			}
			this.cleanHeld = 0;
			// Found room: look for more in the next window right away.
			probeNext = this.raised > 0 && this.heldBack && skipped === 1;
		} else if (this.heldBack) {
			this.cleanHeld++;
			probeNext = skipped === 1 && this.cleanHeld >= this.probeGap;
		}
		this.submitCredit = Math.min(this.creditCap(), this.submitCredit + skipped * this.submitShare());
		this.nextWindow(this.windowEnd + skipped * this.windowLength(), probeNext && this.windowMs !== undefined);
	}

	private nextWindow(end: number | undefined, raising: boolean): void {
		this.window++;
		this.windowEnd = end;
		this.used = { all: 0, submits: 0 };
		this.inFlight = { all: 0, submits: 0 };
		if (this.modeProbe === 'open') this.modeProbe = 'none';
		this.heldBack = false;
		this.raised = 0;
		this.raising = raising;
	}
}
