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

/**
 * How long this run's jobs took (submit → done), shared by its items, so that later jobs are
 * checked around when they are likely done instead of every second.
 */
export class JobDurations {
	private readonly seen: number[] = [];

	record(ms: number): void {
		if (!(ms > 0)) return;
		this.seen.push(ms);
		if (this.seen.length > 20) this.seen.shift();
	}

	/** The 20th, 50th and 80th percentiles and the longest of the recent durations; undefined before the first. */
	range(): DurationRange | undefined {
		if (this.seen.length === 0) return undefined;
		const sorted = [...this.seen].sort((a, b) => a - b);
		const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
		return { low: at(0.2), median: at(0.5), high: at(0.8), max: sorted[sorted.length - 1] };
	}
}

export interface DurationRange {
	low: number;
	median: number;
	high: number;
	max: number;
}

/** Longest adaptive interval, in units of the poll interval. */
export const ADAPTIVE_CAP_UNITS = 10;

/**
 * The wait before the next status check, `elapsedMs` after submitting, with `checks` done.
 * - fixed: always the interval.
 * - adaptive, nothing learned yet: the first check after 2 units, then half the time waited so
 *   far (a job that has run 20 s is not done in the next second), between 1 and 10 units.
 * - adaptive, with earlier durations: the first check when a job is likely done (the 20th
 *   percentile), then intervals that start at one unit and grow with the overrun, up to 10 units.
 * - economical (requests are scarce: a rate limit is known): every check costs a job's share of
 *   the budget, so it waits longer. Nothing learned: the wait doubles each time. Learned: the
 *   first check at the 80th percentile, the next at the longest duration seen, then growing.
 */
export function nextPollDelayMs(
	elapsedMs: number,
	checks: number,
	options: { unitMs: number; mode: PollingMode; durations?: DurationRange; economical?: boolean },
): number {
	const { unitMs: u, mode, durations, economical } = options;
	if (mode === 'fixed') return u;
	const clamp = (ms: number) => Math.min(ADAPTIVE_CAP_UNITS * u, Math.max(u, ms));
	if (!durations) return checks === 0 ? 2 * u : clamp(economical ? elapsedMs : elapsedMs / 2);
	if (!economical) {
		if (elapsedMs < durations.low - u / 2) return Math.max(u, durations.low - elapsedMs);
		return clamp((elapsedMs - durations.low) / 3);
	}
	for (const target of [durations.high, durations.max]) {
		if (elapsedMs < target - u / 2) return Math.max(u, target - elapsedMs);
	}
	return clamp((elapsedMs - durations.high) / 2);
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
				options.durations?.record(lastPendingAt === undefined ? doneBy : (lastPendingAt - started + doneBy) / 2);
			}
			return state.value.value;
		}
		lastStatus = state.value.status;
		lastPendingAt = checkedAt;
		if (now() >= deadline) throw options.timedOut(lastStatus);
	}
}
