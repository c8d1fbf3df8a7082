import { abortableSleep, ExecutionCancelledError, throwIfAborted } from './abort';
import type { JobDurations } from './jobDurations';
import { fitToDeadline, nextPollDelayMs, scoutCheckMs, type PollingMode } from './pollPlan';

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
 * Sleep `ms`; true when it ran out, false when `subscribe`'s callback came first (a first check
 * planned from what was known may now come earlier). A Stop throws ExecutionCancelledError.
 */
async function sleepUnlessChanged(ms: number, signal?: AbortSignal, subscribe?: (listener: () => void) => () => void): Promise<boolean> {
	if (!subscribe) {
		await abortableSleep(ms, signal);
		return true;
	}
	const wake = new AbortController();
	const onAbort = () => wake.abort();
	const unsubscribe = subscribe(onAbort);
	signal?.addEventListener('abort', onAbort, { once: true });
	const slept = await abortableSleep(ms, wake.signal).then(
		() => true,
		() => false,
	);
	unsubscribe();
	signal?.removeEventListener('abort', onAbort);
	if (signal?.aborted) throw new ExecutionCancelledError();
	return slept;
}

/**
 * Check a job until it is done, on the adaptive (or fixed) schedule fitted to the deadline (see
 * pollPlan.ts: a first check by halfway, a last useful one before the time for the result and
 * the download). While nothing is measured on the key, one job at a time also gets an early look
 * (the scout, see SCOUT_SHARE); a first check still ahead is planned again when the key's jobs
 * turn out faster than planned. `check` throws when the job failed; a check that keeps failing
 * with a transient error until the deadline, or a job still running then, ends as `timedOut`.
 * A finished job is recorded into `durations` (with `reportedMs`: Segmind's own time for it,
 * when its answer has one).
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
	const { durations } = options;
	const token = {};
	let scouting = mode === 'adaptive' && !options.pollImmediately && (durations?.claimScout(token) ?? false);
	/** Checks on the schedule (the scout's early look is not one of them). */
	let checks = 0;
	let lastPendingAt: number | undefined;
	let lastStatus = 'not known yet';
	try {
		for (;;) {
			if (!(checks === 0 && options.pollImmediately)) {
				const at = now();
				const range = durations?.range();
				let planned = nextPollDelayMs(at - started, checks, {
					unitMs: options.pollIntervalMs,
					mode,
					durations: range,
					economical: options.economical?.(),
				});
				if (scouting) {
					const scoutIn = scoutCheckMs(options.pollIntervalMs, range) - (at - started);
					// A look no earlier than the first check is no scout.
					if (scoutIn >= planned) {
						scouting = false;
						durations?.releaseScout(token);
					} else planned = Math.max(0, scoutIn);
				}
				const wait = fitToDeadline(planned, { now: at, checks, startedAt: started, deadline });
				// A first check far ahead is planned again when the key's jobs turn out faster.
				const faster = mode === 'adaptive' && checks === 0 && durations ? (listener: () => void) => durations.onFaster(listener) : undefined;
				if (!(await sleepUnlessChanged(wait, options.signal, faster))) continue;
			}
			throwIfAborted(options.signal);
			const checkedAt = now();
			const state = await check(deadline).then(
				(value) => ({ value }),
				(error: unknown) => ({ error }),
			);
			if (scouting) scouting = false;
			else checks++;
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
					durations?.record({
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
	} finally {
		durations?.releaseScout(token);
	}
}
