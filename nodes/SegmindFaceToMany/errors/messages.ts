import type { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { SegmindFailure } from '../transport/failure';

/*
 * Every sentence a user reads, in one place: what happened (the error's title) and what to do
 * (its description). Titles are short and plain; request IDs and server details go below.
 */

export function timedOut(requestId: string, timeoutMs: number, lastStatus: string): SegmindFailure {
	return new SegmindFailure('timeout', `The Segmind job did not finish within ${Math.round(timeoutMs / 1000)} s`, {
		requestId,
		description: `Job ${requestId} (last status: ${lastStatus}) is still running at Segmind and will be billed. Collect it with the Get Job Result operation and request ID ${requestId} within 1 hour (Segmind keeps results that long), or raise "Timeout (Seconds)" in the node's options.`,
	});
}

/**
 * A node failure that leaves billed jobs behind names them, so their images can still be
 * collected: Segmind keeps them 1 hour.
 */
export function orphanedJobs<E extends NodeApiError | NodeOperationError>(error: E, requestIds: string[]): E {
	if (!requestIds.length) return error;
	const list = requestIds.join(', ');
	error.description = [
		error.description,
		`Jobs already sent and billed whose images were not delivered: ${list}. Results are kept 1 hour: use Get Job Result with these request IDs.`,
	]
		.filter(Boolean)
		.join(' ');
	error.context.undelivered_request_ids = requestIds;
	return error;
}
