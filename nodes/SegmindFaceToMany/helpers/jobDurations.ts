/** Segmind's documented typical time for a face-to-many job: what the schedule assumes until it has measured (the default of "Expected Job Time"). */
export const PRIOR_JOB_MS = 22_000;

/** Assumed spread of job times around the typical time, until enough are measured: ±30 %. */
export const PRIOR_SPREAD = 0.3;

/** From this many measured jobs on, their own range is used instead of the prior's. */
export const OWN_RANGE_FROM = 3;

/** Measured job times kept (the most recent). */
const KEPT = 20;

/**
 * What is known of one finished job, in ms after its submit: when a check last found it running
 * (none: done at its first check), when a check found it done, and Segmind's own figure for it
 * (its `metrics`), when the answer had one.
 */
export interface JobObservation {
	runningAt?: number;
	doneAt: number;
	reportedMs?: number;
}

export interface DurationRange {
	/** The job time assumed until jobs are measured (default PRIOR_JOB_MS). */
	priorMs?: number;
	/** Measured job times (0: none yet; the fields below are then absent). */
	count: number;
	/** Jobs waiting at Segmind on this key (at least 1: the one asking). */
	waiting: number;
	mean?: number;
	low?: number;
	median?: number;
	high?: number;
	min?: number;
	max?: number;
}

/**
 * The job time below which a share `q` of jobs finish: the expected time (Segmind's 22 s unless
 * the user set another) ± 30 % until jobs are measured, then the measured mean with the same
 * spread, and from OWN_RANGE_FROM measured jobs on, their own range.
 */
export function durationQuantileMs(q: number, durations?: DurationRange): number {
	const count = durations?.count ?? 0;
	if (count >= OWN_RANGE_FROM && durations?.min !== undefined && durations.max !== undefined) {
		const low = durations.min * 0.95;
		const high = durations.max * 1.05;
		return low + (high - low) * q;
	}
	return typicalMs(durations) * (1 - PRIOR_SPREAD + 2 * PRIOR_SPREAD * q);
}

/** Measured jobs outside this share of the prior's range (0.7 to 1.3 times it, ±15 %) show the prior is wrong. */
const PRIOR_FITS = { low: (1 - PRIOR_SPREAD) * 0.85, high: (1 + PRIOR_SPREAD) * 1.15 };

/**
 * The typical job time: the prior while nothing is measured; the measured mean blended with the
 * prior (counting as one job) while every measured job fits the prior's range; the measured
 * mean alone once one does not (jobs far faster or slower than expected).
 */
export function typicalMs(durations?: DurationRange): number {
	const prior = durations?.priorMs ?? PRIOR_JOB_MS;
	const { count = 0, mean, min = prior, max = prior } = durations ?? {};
	if (!count || mean === undefined) return prior;
	if (min < PRIOR_FITS.low * prior || max > PRIOR_FITS.high * prior) return mean;
	return (prior + count * mean) / (1 + count);
}

/**
 * How long jobs took (submit → done) and how many are waiting, for one API key across the
 * executions of this process (kept while the key is idle, see transport/budgets.ts), so that
 * jobs are checked around when they are likely done instead of every second.
 *
 * What a finished job teaches: Segmind's own time for it, when its answer reports one, fitted
 * into what the checks prove (after the last "still running", no later than the "done"). Else,
 * the middle between those two checks. A job found done at its first check, without a reported
 * time, only says it took at most that long: when that is below the typical time assumed, the
 * assumption was too high and the middle of what is known (half that time) is recorded, so the
 * schedule comes down as well as up; otherwise it says nothing new.
 */
export class DurationStats {
	private readonly seen: number[] = [];

	/** Jobs of running executions that have not finished yet (what a first check is planned for). */
	waiting = 0;

	/** The job checked early while nothing is measured (see claimScout). */
	private scout?: object;

	/** Who wants to hear when jobs turn out far faster (see onFaster). */
	private readonly listeners = new Set<() => void>();

	/**
	 * Call `listener` when a job turns out far faster than the schedule assumed (under
	 * PRIOR_FITS.low of the typical time): the first checks planned from it (and still ahead) are
	 * planned again. Returns the unsubscribe.
	 */
	onFaster(listener: () => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	/** Record a job time; `priorMs`: the typical time its execution assumed. */
	record(ms: number, priorMs = PRIOR_JOB_MS): void {
		if (!(ms > 0)) return;
		const before = typicalMs({ ...this.range(), priorMs });
		this.seen.push(ms);
		if (this.seen.length > KEPT) this.seen.shift();
		if (ms >= PRIOR_FITS.low * before) return;
		for (const listener of [...this.listeners]) listener();
	}

	/**
	 * While no job of the key is measured, one job at a time (the first to ask) gets an early look
	 * (see SCOUT_SHARE in pollPlan.ts): true for that job. `owner` releases it (releaseScout).
	 */
	claimScout(owner: object): boolean {
		if (this.seen.length > 0 || this.scout) return false;
		this.scout = owner;
		return true;
	}

	releaseScout(owner: object): void {
		if (this.scout === owner) this.scout = undefined;
	}

	/** Learn from one finished job; `priorMs`: the typical time its execution assumed. */
	observe(job: JobObservation, priorMs = PRIOR_JOB_MS): void {
		const low = job.runningAt ?? 0;
		const high = Math.max(low, job.doneAt);
		if (job.reportedMs !== undefined && job.reportedMs > 0) return this.record(Math.min(high, Math.max(low, job.reportedMs)), priorMs);
		if (job.runningAt !== undefined) return this.record((low + high) / 2, priorMs);
		if (high < typicalMs({ ...this.range(), priorMs })) this.record(high / 2, priorMs);
	}

	/** What the schedule knows now. */
	range(): DurationRange {
		const waiting = Math.max(1, this.waiting);
		if (this.seen.length === 0) return { count: 0, waiting };
		const sorted = [...this.seen].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
		const mean = sorted.reduce((sum, ms) => sum + ms, 0) / sorted.length;
		return { count: sorted.length, waiting, mean, low: at(0.2), median: at(0.5), high: at(0.8), min: sorted[0], max: sorted[sorted.length - 1] };
	}
}

/**
 * One execution's view of the key's DurationStats: its `jobs` count as waiting until each is
 * recorded or the execution ends (close).
 */
export class JobDurations {
	private remaining: number;

	constructor(
		private readonly shared: DurationStats = new DurationStats(),
		jobs = 1,
		/** The job time assumed until jobs are measured ("Expected Job Time"). */
		private readonly priorMs = PRIOR_JOB_MS,
	) {
		this.remaining = Math.max(0, jobs);
		shared.waiting += this.remaining;
	}

	/** One of this execution's jobs finished (see DurationStats.observe). */
	record(job: JobObservation): void {
		if (this.remaining > 0) {
			this.remaining--;
			this.shared.waiting--;
		}
		this.shared.observe(job, this.priorMs);
	}

	range(): DurationRange {
		return { ...this.shared.range(), priorMs: this.priorMs };
	}

	/** See DurationStats.onFaster. */
	onFaster(listener: () => void): () => void {
		return this.shared.onFaster(listener);
	}

	/** See DurationStats.claimScout. */
	claimScout(owner: object): boolean {
		return this.shared.claimScout(owner);
	}

	releaseScout(owner: object): void {
		this.shared.releaseScout(owner);
	}

	/** The execution ended: its unfinished jobs no longer wait. */
	close(): void {
		this.shared.waiting -= this.remaining;
		this.remaining = 0;
	}
}
