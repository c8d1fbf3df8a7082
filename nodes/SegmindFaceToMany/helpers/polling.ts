import { abortableSleep, throwIfAborted } from './abort';
import type { JobStatus, SegmindClient, SubmittedJob } from '../transport/client';
import { jobFailed } from '../transport/responses';
import { SegmindFailure } from '../errors/failures';

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

/**
 * Poll status_url until the job is COMPLETED (returned) or FAILED (thrown), on the schedule
 * above; the last wait is shortened to end exactly at the deadline.
 */
export async function waitForCompletion(
	client: SegmindClient,
	job: Pick<SubmittedJob, 'requestId' | 'statusUrl'>,
	options: PollOptions,
): Promise<Extract<JobStatus, { state: 'COMPLETED' }>> {
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
		let state: JobStatus | undefined;
		let failure: unknown;
		try {
			state = await client.status(job, deadline);
		} catch (error) {
			failure = error;
		}
		if (!state) {
			// The item's Timeout ran out during the check (it bounds the whole item, polls included).
			if (failure instanceof SegmindFailure && failure.kind === 'timeout') {
				throw timedOut(job.requestId, options.timeoutMs, failure.lastTry ? `${lastStatus}; the last check failed: ${failure.lastTry}` : lastStatus);
			}
			// Status checks that kept failing until the deadline: the user's timeout is what ran out.
			if (failure instanceof SegmindFailure && TRANSIENT.includes(failure.kind) && now() >= deadline) {
				const failed = failure.httpCode ? `HTTP ${failure.httpCode}` : failure.message;
				throw timedOut(job.requestId, options.timeoutMs, `${lastStatus}; the last check failed: ${failed}`);
			}
			throw failure;
		}
		if (state.state === 'COMPLETED') {
			// A job known from submit on: it finished between the last "not yet" and this check.
			if (!options.pollImmediately) {
				const doneBy = checkedAt - started;
				options.durations?.record(lastPendingAt === undefined ? doneBy : (lastPendingAt - started + doneBy) / 2);
			}
			return state;
		}
		if (state.state === 'PENDING') {
			lastStatus = state.status;
			lastPendingAt = checkedAt;
		}
		if (state.state === 'FAILED') throw jobFailed(job.requestId, state.error, state.body);
		if (now() >= deadline) throw timedOut(job.requestId, options.timeoutMs, state.status);
	}
}

/** Failures that retrying could have cured, given more time. */
const TRANSIENT: string[] = ['server', 'rateLimited', 'network'];

export function timedOut(requestId: string, timeoutMs: number, lastStatus: string): SegmindFailure {
	return new SegmindFailure(
		'timeout',
		`Segmind job ${requestId} did not finish within ${Math.round(timeoutMs / 1000)} s (last status: ${lastStatus})`,
		{
			requestId,
			description: `The job is still running at Segmind and will be billed. Collect it with the Get Result operation and request ID ${requestId} within 1 hour (Segmind keeps results that long), or raise "Timeout (Seconds)" in the node's options.`,
		},
	);
}
