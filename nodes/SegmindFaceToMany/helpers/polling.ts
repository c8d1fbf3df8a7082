import { abortableSleep, throwIfAborted } from './abort';
import type { JobDurations } from './jobDurations';
import { fitToDeadline, nextPollDelayMs, type PollingMode } from './pollPlan';

export type { PollingMode } from './pollPlan';
export type { JobDurations } from './jobDurations';

export interface PollOptions {
	/** Fixed mode: the interval. Adaptive mode: the unit of the schedule (its shortest interval). */
	pollIntervalMs: number;
	timeoutMs: number;
	mode?: PollingMode;
	/** Durations of this key's earlier jobs (adaptive mode learns from and records into it). */
	durations?: JobDurations;
	/** True when requests are scarce (a rate limit is known): check later, less often. */
	economical?: () => boolean;
	signal?: AbortSignal;
	/** Poll once at once instead of waiting first (e.g. Get Result on an old job). */
	pollImmediately?: boolean;
	now?: () => number;
}

/** One look at the job: done (with what the check returns), or still running with its status. */
export type JobCheck<T> = { done: true; value: T } | { done: false; status: string };

/**
 * Check a job until it is done, on the adaptive (or fixed) schedule fitted to the deadline (see
 * pollPlan.ts: a first check by halfway, a last useful one before the time for the result and
 * the download). `check` throws when the job failed; a check that keeps failing with a transient
 * error until the deadline, or a job still running then, ends as `timedOut`. A finished job is
 * recorded into `durations` (with `reportedMs`: Segmind's own time for it, when its answer has one).
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
		reportedMs?: (value: T) => number | undefined;
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
		if (!(checks === 0 && options.pollImmediately)) {
			const at = now();
			const planned = nextPollDelayMs(at - started, checks, {
				unitMs: options.pollIntervalMs,
				mode,
				durations: options.durations?.range(),
				economical: options.economical?.(),
			});
			await abortableSleep(fitToDeadline(planned, { now: at, checks, startedAt: started, deadline }), options.signal);
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
				options.durations?.record({
					runningAt: lastPendingAt === undefined ? undefined : lastPendingAt - started,
					doneAt: checkedAt - started,
					reportedMs: options.reportedMs?.(state.value.value),
				});
			}
			return state.value.value;
		}
		lastStatus = state.value.status;
		lastPendingAt = checkedAt;
		if (now() >= deadline) throw options.timedOut(lastStatus);
	}
}
