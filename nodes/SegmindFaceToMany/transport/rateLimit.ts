import { LimitWindows } from './limitWindows';
import { startsJob, type RequestKind } from './requestKind';
import { SubmitPace } from './submitPace';
import { UpwardProbe } from './upwardProbe';

export { ASSUMED_WINDOW_MS } from './limitWindows';
export { MAX_PROBE_GAP } from './upwardProbe';

/** Which requests the server's limit counts, as far as the 429s have shown. */
export type Counted = 'unknown' | 'all' | 'submits';

/** A status check goes during a submit's 429 pause to find whether checks count only when the reset is at least this far. */
export const MODE_PROBE_MIN_PAUSE_MS = 1000;

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
 *   held back by its estimate (a new job held by the submit pace counts: the pace comes from the
 *   estimate), the next window lets requests past it, one at a time and from
 *   halfway through the window on. If they go through, the estimate grows to what the window let
 *   through and the gap is 1 again; the first 429 sets the estimate from what the window let
 *   through, and if that is no more than before, the probe failed and the gap doubles (1, 2, 4…
 *   up to MAX_PROBE_GAP windows). A 429 outside a probe (another user of the key took more)
 *   lowers the estimate and sets the gap to 1. So processes sharing a key converge to shares
 *   that add up to the limit, and a process pays one 429 per change of its share, plus one per
 *   failed probe (their number grows with the logarithm of the windows).
 */
export class RateLimitLearner {
	/** Until when (epoch ms) a 429 has paused every request the limit counts. */
	pauseEnd = 0;

	counted: Counted = 'unknown';

	private readonly limits: { all?: number; submits?: number } = {};

	private readonly windows = new LimitWindows();

	private readonly probe = new UpwardProbe();

	private readonly pace = new SubmitPace();

	/** The current window's number (requests remember the window they were granted in). */
	private window = 0;

	/** Requests granted in the current window, and those of them still unanswered. */
	private used = { all: 0, submits: 0 };

	private inFlight = { all: 0, submits: 0 };

	/** 'open': a submit's 429 just showed the window full; one status check may go to see whether it is full for checks too. */
	private modeProbe: 'none' | 'open' | 'sent' = 'none';

	/** The window the last estimate was learned from: its requests still in flight may yet prove it higher. */
	private learnedFrom?: number;

	/** Requests a window lets through, as far as known (all requests, or only submits: see `counted`). */
	get limit(): number | undefined {
		return this.counted === 'submits' ? this.limits.submits : this.limits.all;
	}

	/** True once the limit and where the window ends are known (its length perhaps only assumed): the per-window count bounds sending. */
	get known(): boolean {
		return this.limit !== undefined && this.windows.end !== undefined;
	}

	/** True when status checks are scarce: a limit that counts them is known. */
	get constrained(): boolean {
		return this.limits.all !== undefined && this.counted !== 'submits';
	}

	get learned(): { limit?: number; windowMs?: number; counts: Counted } {
		return { limit: this.limit, windowMs: this.windows.lengthMs, counts: this.counted };
	}

	/** Ms until a request of this kind may go as far as the limit goes (0: now; Infinity: when a probe's answer comes). */
	delayMs(kind: RequestKind, now: number): number {
		this.roll(now);
		if (this.modeProbeNow(kind, now)) return 0;
		// A 429's pause holds the requests the limit counts (all, until it is known that only submits do).
		const paused = this.counts(kind) ? Math.max(0, this.pauseEnd - now) : 0;
		const end = this.windows.end;
		if (end === undefined) return this.over(kind) ? Number.POSITIVE_INFINITY : paused;
		if (kind === 'submit' && this.paced() && this.pace.held) {
			// The pace comes from the estimate, so a job it holds is held by the estimate: that is what
			// lets the estimate be probed upward (else a process whose share starts small stays there).
			// In a window that probes, held jobs go from its middle on, up to the estimate; past it, one
			// at a time as probes.
			this.probe.held();
			const probeAt = this.windows.lengthMs === undefined ? end : this.probe.nextAt(this.windows, this.limit ?? 0);
			return Math.max(paused, probeAt - now);
		}
		if (!this.over(kind) || this.probeFor(now)) return paused;
		// The window's length is not known yet: a spaced probe looks for an earlier end.
		if (this.windows.lengthMs === undefined) return Math.max(paused, this.windows.nextEndProbe() - now);
		this.probe.held();
		return Math.max(paused, this.probe.nextAt(this.windows, this.limit ?? 0) - now);
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
		if (probe?.endProbe) this.windows.endProbeSent(now);
		if (probe?.raise) this.probe.sent();
		if (kind === 'submit' && this.paced()) this.pace.spend();
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
		if (note.raise) this.probe.answered(note.window === this.window);
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
		if (note.raise) this.probe.answered(false);
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

	/** New jobs are paced (see SubmitPace) while the limit counts checks and its window is known. */
	private paced(): boolean {
		return this.constrained && this.windows.end !== undefined;
	}

	private counts(kind: RequestKind): boolean {
		return this.counted !== 'submits' || startsJob(kind);
	}

	private over(kind: RequestKind): boolean {
		const limit = this.limit;
		if (limit === undefined || !this.counts(kind)) return false;
		return (this.counted === 'submits' ? this.used.submits : this.used.all) >= limit;
	}

	/** Which probe a request past the limit would be, if one may go now. */
	private probeFor(now: number): Pick<GrantNote, 'endProbe' | 'raise'> | undefined {
		if (this.windows.end === undefined) return undefined;
		if (this.windows.lengthMs === undefined) return this.windows.endProbeDue(now) ? { endProbe: true } : undefined;
		return this.probe.mayGo(now, this.windows, this.limit ?? 0) ? { raise: true } : undefined;
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
		if (note.endProbe) this.windows.endProbeAnswered();
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
		this.probe.learned(before, this.limit);
		this.windows.reset(resetAt);
		// A new window starts at the reset time.
		this.learnedFrom = this.window;
		this.pace.fill(this.limits.all);
		this.nextWindow();
	}

	/** Move to the window `now` is in, closing the one that ended (several if idle). */
	private roll(now: number): void {
		const ended = this.windows.roll(now);
		if (!ended) return;
		const key = this.counted === 'submits' ? 'submits' : 'all';
		// Probes went through and no 429 came: the window had room for all that was sent.
		if (this.probe.windowsEnded(ended, this.windows.lengthMs !== undefined)) this.limits[key] = Math.max(this.limits[key] ?? 0, this.used[key]);
		this.pace.earn(ended, this.limits.all ?? 0);
		this.nextWindow();
	}

	private nextWindow(): void {
		this.window++;
		this.used = { all: 0, submits: 0 };
		this.inFlight = { all: 0, submits: 0 };
		if (this.modeProbe === 'open') this.modeProbe = 'none';
	}
}
