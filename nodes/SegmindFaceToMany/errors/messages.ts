/**
 * Every sentence a user reads about a Segmind call, in one place: what happened (the error's
 * title, short and plain) and what to do (its description). The transport and the operations
 * decide what happened; these functions say it. Texts from the server arrive here redacted.
 */
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { megabytes, seconds } from '../helpers/values';
import { SegmindFailure, type FailureKind } from './failures';

export interface FailureText {
	kind: FailureKind;
	message: string;
	description: string;
}

const join = (...parts: Array<string | undefined | false>) => parts.filter(Boolean).join(' ');

const getResultHint = (requestId: string) =>
	`Collect it with the Get Job Result operation and request ID ${requestId} within 1 hour (Segmind keeps results that long).`;

/** A non-2xx answer from the API (`said` is the server's own, redacted, text). */
export function httpFailureText(
	statusCode: number,
	what: string,
	options: { said?: string; requestId?: string; maxRetries: number },
): FailureText {
	const said = options.said ? `Segmind says: "${options.said}"` : '';
	const { requestId } = options;
	switch (true) {
		case statusCode === 401:
			return {
				kind: 'auth',
				message: 'Segmind rejected the API key (401): it is missing or invalid',
				description: join('Check the API key in your Segmind API credential; keys are on the API Keys page of your Segmind console.', said),
			};
		case statusCode === 403:
			return {
				kind: 'auth',
				message: 'Segmind refused access to this model for your account (403)',
				description: join('Check your Segmind plan and API key permissions.', said),
			};
		case statusCode === 406:
			return {
				kind: 'credits',
				message: 'Insufficient Segmind credits to run this job (406)',
				description: join(said, 'Top up your credits in the Segmind console, then run the workflow again.'),
			};
		case statusCode === 429:
			return {
				kind: 'rateLimited',
				message: `Segmind rate limit reached while ${what} (429), still after ${options.maxRetries} retries`,
				description: join(
					'Free plans allow 5 requests a minute, Pro 50. Set "Max Requests per Minute" to your plan limit, set "Max Jobs in Flight", or try later.',
					said,
				),
			};
		case statusCode >= 500:
			return {
				kind: 'server',
				message: `Segmind had a server error while ${what} (HTTP ${statusCode}), still after ${options.maxRetries} retries`,
				description: join(
					said,
					requestId ? `The job ${requestId} may still complete: use the Get Job Result operation to collect it.` : 'Try again later.',
				),
			};
		case statusCode === 400 || statusCode === 410 || statusCode === 422:
			return {
				kind: 'rejected',
				message: `Segmind rejected the request while ${what} (HTTP ${statusCode})${options.said ? `: ${options.said}` : ''}`,
				description: statusCode === 410 ? 'Segmind says this model is retired.' : "Check the node's parameters.",
			};
		case statusCode >= 300 && statusCode < 400:
			return {
				kind: 'http',
				message: `Segmind answered with a redirect (HTTP ${statusCode}) while ${what}`,
				description:
					'The node never follows a redirect with your API key (it could lead to another host). Check the Base URL and Upload Base URL in the Segmind credential (e.g. https, no extra path).',
			};
		default:
			return {
				kind: 'http',
				message: `Segmind answered HTTP ${statusCode} while ${what}${options.said ? `: ${options.said}` : ''}`,
				description: '',
			};
	}
}

/**
 * The submit (or v1 sync run) was sent and may have created a billed job, but the answer is
 * missing or unusable. `what` says what came back instead.
 */
export function uncertainSubmitText(what: string, requestId?: string): { message: string; description: string } {
	return {
		message: `The job was sent to Segmind but ${what}: a job may have been created and billed`,
		description: join(
			'The node did not send it again, to avoid paying twice.',
			requestId
				? `Segmind named it ${requestId}: ${getResultHint(requestId)}`
				: 'Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
		),
	};
}

/**
 * A connection that failed (after retries where safe). `imageHost` when it was the public image
 * host (not the API): the message names that host instead of the credential's Base URL.
 */
export function networkText(
	what: string,
	cause: string,
	where: { baseUrl: string; imageHost?: string },
	requestId?: string,
): { message: string; description: string } {
	const jobHint = requestId && `The job ${requestId} may still complete: use the Get Job Result operation to collect it.`;
	if (where.imageHost) {
		return {
			message: `Could not reach the image host ${where.imageHost} while ${what}: ${cause}`,
			description: join(`Check your network; the image is served by ${where.imageHost}, not by the Base URL.`, jobHint),
		};
	}
	return {
		message: `Could not reach Segmind while ${what}: ${cause}`,
		description: join(`Check your network and the Base URL in the Segmind credential (${where.baseUrl}).`, jobHint),
	};
}

/** The item's Timeout ran out while a request, a retry wait or a rate-limit wait was still going on. */
export function itemTimeoutText(
	what: string,
	timeoutMs: number,
	requestId?: string,
	lastTry?: string,
): { message: string; description: string } {
	return {
		message: `${requestId ? `Segmind job ${requestId}: ` : ''}the item's Timeout (${seconds(timeoutMs)}) ran out while ${what}${
			lastTry ? ` (the last try: ${lastTry})` : ''
		}`,
		description: requestId
			? `The job is running or done at Segmind and will be billed. ${getResultHint(requestId)} Or raise "Timeout (Seconds)" in the node's options.`
			: 'Nothing was billed for this item unless it was submitted. Raise "Timeout (Seconds)" in the node\'s options, or set "Max Jobs in Flight" when the rate limit makes items wait.',
	};
}

/** A status_url/response_url (or any keyed URL) that is not on the credential's hosts. */
export function foreignUrlText(url: string, allowed: string[], requestId?: string): { message: string; description: string } {
	let origin = url;
	try {
		origin = new URL(url).origin;
	} catch {
		// keep the text as given
	}
	return {
		message: `Segmind's answer points at another host (${origin}); the node sends the API key only to the credential's hosts (${allowed.join(', ')})`,
		description: requestId
			? `Nothing was sent there. The job ${requestId} may have been created and billed: ${getResultHint(requestId)}`
			: 'Nothing was sent there. Check the Base URL in the Segmind credential.',
	};
}

/** A 2xx status/result answer that is not the JSON the node expects, after retries. */
export function unreadableJobAnswerText(what: string, requestId: string, detail: string): { message: string; description: string } {
	return {
		message: `Segmind's answer while ${what} for job ${requestId} ${detail}`,
		description: `The job may still complete. ${getResultHint(requestId)}`,
	};
}

export const downloadTexts = {
	gone: (statusCode: number, host: string) => ({
		message: `The output image link on ${host} is expired or gone (HTTP ${statusCode})`,
		description: 'Output links live 7 days.',
	}),
	failed: (statusCode: number, host: string) => ({
		message: `Could not download the output image from ${host} (HTTP ${statusCode})`,
		description: '',
	}),
	tooLarge: (label: string, bytes: number | undefined, capBytes: number, hint: string) => ({
		message:
			bytes === undefined
				? `${label} is over the ${megabytes(capBytes, 0)} limit`
				: `${label} is ${megabytes(bytes)}, over the ${megabytes(capBytes, 0)} limit`,
		description: hint,
	}),
	sizeHint: (host?: string) =>
		`Raise "Max Output Image Size (MB)" in the node's options${host ? `, or fetch it from ${host} yourself` : ''}.`,
	notImage: (label: string, what: string) => ({ message: `${label} (${what})`, description: '' }),
	truncated: (label: string, problem: string, host: string, requestId?: string) => ({
		message: `${label} from ${host} is incomplete (${problem})${requestId ? ` for job ${requestId}` : ''}`,
		description: join(
			'It was downloaded twice and arrived cut short both times.',
			requestId && `The job is done and billed: ${getResultHint(requestId)}`,
		),
	}),
};

export function jobFailedText(requestId: string, error: string): { message: string; description: string } {
	return {
		message: `The Segmind job failed: ${error}`,
		description:
			'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.',
	};
}

/** The job was still running when the item's Timeout ran out. */
export function timedOut(requestId: string, timeoutMs: number, lastStatus: string): SegmindFailure {
	return new SegmindFailure('timeout', `The Segmind job did not finish within ${Math.round(timeoutMs / 1000)} s`, {
		requestId,
		description: `Job ${requestId} (last status: ${lastStatus}) is still running at Segmind and will be billed. ${getResultHint(requestId)} Or raise "Timeout (Seconds)" in the node's options.`,
	});
}

/**
 * A node failure that leaves billed jobs behind names them, so their images can still be
 * collected: Segmind keeps them 1 hour.
 */
export function orphanedJobs<E extends NodeApiError | NodeOperationError>(error: E, requestIds: string[]): E {
	if (!requestIds.length) return error;
	error.description = join(
		error.description ?? undefined,
		`Jobs already sent and billed whose images were not delivered: ${requestIds.join(', ')}. Results are kept 1 hour: use Get Job Result with these request IDs.`,
	);
	error.context.undelivered_request_ids = requestIds;
	return error;
}
