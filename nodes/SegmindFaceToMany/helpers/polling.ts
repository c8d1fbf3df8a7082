import { abortableSleep, throwIfAborted } from './abort';

export type PollingMode = 'adaptive' | 'fixed';

export interface PollOptions {
	/** Fixed mode: the interval. Adaptive mode: the unit of the schedule (its shortest interval). */
	pollIntervalMs: number;
	timeoutMs: number;
	mode?: PollingMode;
	/** Durations of this run's earlier jobs (adaptive mode learns from and records into it). */
	durations?: JobDurations;
	/** True when requests are scarce (a rate limit is known): check later, less often. */
	economical?: () => boolean;
	signal?: AbortSignal;
	/** Poll once at once instead of waiting first (e.g. Get Result on an old job). */
	pollImmediately?: boolean;
	now?: () => number;
}

/** Segmind's documented typical time for a face-to-many job: what the schedule assumes until it has measured (the default of "Expected Job Time"). */
export const PRIOR_JOB_MS = 22_000;

/** Assumed spread of job times around the typical time, before any is measured: ±30 %. */
export const PRIOR_SPREAD = 0.3;

/** After the first check, the next comes after this share of the time waited so far (a job is found at most ~9 % late)… */
export const STEP_SHARE = 0.09;

/** …or this share when checks are scarce (a rate limit that counts them is known, or a cap is set). */
export const ECONOMICAL_STEP_SHARE = 0.2;

/** A batch's first checks are spread over this share of their quantile (see nextPollDelayMs). */
export const FIRST_CHECK_SPREAD = 0.2;

/** Longest adaptive interval, in units of the poll interval. */
export const ADAPTIVE_CAP_UNITS = 10;

/** Measured job times kept (the most recent). */
const KEPT = 20;

/**
 * How long jobs took (submit → done) and how many are waiting, for one API key across the
 * executions of this process (see transport/budgets.ts), so that jobs are checked around when
 * they are likely done instead of every second. Only measured times count: a job found done at
 * its first check says only that it took at most that long, and would bias the estimate up.
 */
export class DurationStats {
	private readonly seen: number[] = [];

	/** Jobs of running executions that have not finished yet (what a first check is planned for). */
	waiting = 0;

	record(ms: number): void {
		if (!(ms > 0)) return;
		this.seen.push(ms);
		if (this.seen.length > KEPT) this.seen.shift();
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

	/**
	 * A job finished `ms` after it was submitted. `measured`: a check had found it still running
	 * (so `ms` is within one interval of the truth); false when it was done at its first check.
	 */
	record(ms: number, measured = true): void {
		if (this.remaining > 0) {
			this.remaining--;
			this.shared.waiting--;
		}
		if (measured) this.shared.record(ms);
	}

	range(): DurationRange {
		return { ...this.shared.range(), priorMs: this.priorMs };
	}

	/** The execution ended: its unfinished jobs no longer wait. */
	close(): void {
		this.shared.waiting -= this.remaining;
		this.remaining = 0;
	}
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
 * the user set another) ± 30 % until jobs are measured, then the measured mean (the prior counting as one job) with the same spread, and once
 * five or more are measured, their own range.
 */
export function durationQuantileMs(q: number, durations?: DurationRange): number {
	const count = durations?.count ?? 0;
	if (count >= 5 && durations?.min !== undefined && durations.max !== undefined) {
		const low = durations.min * 0.95;
		const high = durations.max * 1.05;
		return low + (high - low) * q;
	}
	const prior = durations?.priorMs ?? PRIOR_JOB_MS;
	const mean = count && durations?.mean !== undefined ? (prior + count * durations.mean) / (1 + count) : prior;
	return mean * (1 - PRIOR_SPREAD + 2 * PRIOR_SPREAD * q);
}

/**
 * The wait before the next status check, `elapsedMs` after submitting, with `checks` done.
 * - fixed: always the interval.
 * - adaptive: the first check when the job is likely done, for the whole batch. Items of a run
 *   come out together, and every check of a job that is still running spends the rate limit that
 *   later checks need; so with `waiting` jobs in flight on the key, the first check comes at the
 *   time by which a share (n − 1) / (n + 1) of jobs are done: early (the fast end of the range)
 *   for one job, near the slowest expected for a batch. With checks scarce, at n / (n + 1). Each
 *   job draws its share at random from the top fifth of that (0.8 to 1 times it), so a batch is
 *   collected while its last jobs finish, not all after them.
 *   Job times are Segmind's ~22 s until this key's jobs have been measured (durationQuantileMs).
 * - then, while the job runs: after 9 % of the time waited so far (20 % when scarce), between one
 *   and ten poll intervals, so a job is found at most about that late.
 */
export function nextPollDelayMs(
	elapsedMs: number,
	checks: number,
	options: { unitMs: number; mode: PollingMode; durations?: DurationRange; economical?: boolean; random?: () => number },
): number {
	const { unitMs: u, mode, durations, economical, random = Math.random } = options;
	if (mode === 'fixed') return u;
	if (checks === 0) {
		const n = Math.max(1, durations?.waiting ?? 1);
		const share = economical ? n / (n + 1) : (n - 1) / (n + 1);
		// Spread over the last fifth of that share, so a batch is collected while its last jobs finish
		// (requests go one at a time) instead of all at once after them.
		const first = Math.max(2 * u, durationQuantileMs(share * (1 - FIRST_CHECK_SPREAD * random()), durations));
		if (elapsedMs < first - u / 2) return first - elapsedMs;
	}
	const step = economical ? ECONOMICAL_STEP_SHARE : STEP_SHARE;
	return Math.min(ADAPTIVE_CAP_UNITS * u, Math.max(u, step * elapsedMs));
}

/** One look at the job: done (with what the check returns), or still running with its status. */
export type JobCheck<T> = { done: true; value: T } | { done: false; status: string };

/**
 * Check a job until it is done, on the schedule above; the last wait is shortened to end exactly
 * at the deadline. `check` throws when the job failed; a check that keeps failing with a transient
 * error until the deadline, or a job still running then, ends as `timedOut`.
 */
export async function waitForJob<T>(
	check: (deadline: number) => Promise<JobCheck<T>>,
	options: PollOptions & {
		/**
		 * How a failed check counts: `timedOut`, the deadline passed during it; `transient`, more
		 * time might have cured it; `detail`, what the last check got (for the timeout's text).
		 */
		failedCheck: (error: unknown) => { timedOut?: boolean; transient?: boolean; detail?: string };
		timedOut: (lastStatus: string) => Error;
	},
): Promise<T> {
	const now = options.now ?? Date.now;
	const started = now();
	const deadline = started + options.timeoutMs;
	const mode = options.mode ?? 'fixed';
	let checks = 0;
	let lastPendingAt: number | undefined;
	let lastStatus = 'not known yet';
	for (;;) {
		const remaining = deadline - now();
		if (!(checks === 0 && options.pollImmediately)) {
			const wait = nextPollDelayMs(now() - started, checks, {
				unitMs: options.pollIntervalMs,
				mode,
				durations: options.durations?.range(),
				economical: options.economical?.(),
			});
			await abortableSleep(Math.min(wait, Math.max(0, remaining)), options.signal);
		}
		checks++;
		throwIfAborted(options.signal);
		const checkedAt = now();
		const state = await check(deadline).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if ('error' in state) {
			// The deadline passed during the check, or checks kept failing until it: the user's
			// timeout is what ran out.
			const seen = options.failedCheck(state.error);
			if (seen.timedOut || (seen.transient && now() >= deadline)) {
				throw options.timedOut(seen.detail ? `${lastStatus}; the last check failed: ${seen.detail}` : lastStatus);
			}
			throw state.error;
		}
		if (state.value.done) {
			// A job known from submit on: it finished between the last "not yet" and this check.
			if (!options.pollImmediately) {
				const doneBy = checkedAt - started;
				options.durations?.record(lastPendingAt === undefined ? doneBy : (lastPendingAt - started + doneBy) / 2, lastPendingAt !== undefined);
			}
			return state.value.value;
		}
		lastStatus = state.value.status;
		lastPendingAt = checkedAt;
		if (now() >= deadline) throw options.timedOut(lastStatus);
	}
}
