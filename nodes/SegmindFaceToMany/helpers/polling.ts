import { abortableSleep, throwIfAborted } from './abort';
import { jobFailed, type JobStatus, type SegmindClient, type SubmittedJob } from '../transport/client';
import { SegmindFailure } from '../transport/failure';

export interface PollOptions {
	pollIntervalMs: number;
	timeoutMs: number;
	signal?: AbortSignal;
	/** Poll once at once instead of waiting an interval first (e.g. Get Result on an old job). */
	pollImmediately?: boolean;
	now?: () => number;
}

/**
 * Poll status_url until the job is COMPLETED (returned) or FAILED (thrown).
 * A fresh job never finishes in under a second, so the first look comes after one interval;
 * the last wait is shortened to end exactly at the deadline.
 */
export async function waitForCompletion(
	client: SegmindClient,
	job: Pick<SubmittedJob, 'requestId' | 'statusUrl'>,
	options: PollOptions,
): Promise<Extract<JobStatus, { state: 'COMPLETED' }>> {
	const now = options.now ?? Date.now;
	const deadline = now() + options.timeoutMs;
	let first = true;
	let lastStatus = 'not known yet';
	for (;;) {
		const remaining = deadline - now();
		if (!(first && options.pollImmediately)) {
			await abortableSleep(Math.min(options.pollIntervalMs, Math.max(0, remaining)), options.signal);
		}
		first = false;
		throwIfAborted(options.signal);
		let state: JobStatus;
		try {
			state = await client.status(job, deadline);
		} catch (error) {
			// Status checks that kept failing until the deadline: the user's timeout is what ran out.
			if (error instanceof SegmindFailure && TRANSIENT.includes(error.kind) && now() >= deadline) {
				const failed = error.httpCode ? `HTTP ${error.httpCode}` : error.message;
				throw timedOut(job.requestId, options.timeoutMs, `${lastStatus}; the last check failed: ${failed}`);
			}
			throw error;
		}
		if (state.state === 'COMPLETED') return state;
		lastStatus = state.state === 'PENDING' ? state.status : lastStatus;
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
