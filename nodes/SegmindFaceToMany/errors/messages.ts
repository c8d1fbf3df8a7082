/**
 * Every sentence a user reads about a Segmind call, in one place: what happened (the error's
 * title, short and plain) and what to do (its description), composed from a failure's facts.
 * Called at the edge, by toNodeError; texts from the server arrive here redacted.
 */
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { OUTPUT_LINK_LIFETIME, RESULT_RETENTION } from '../constants';
import { megabytes, seconds } from '../helpers/values';
import type { FailureFacts, SegmindFailure, Step, Unproven } from './failures';

export interface FailureText {
	/** The error's title. */
	message: string;
	/** What to do ('' when the title says it all). */
	description: string;
}

/** Each step as the sentences name it: "… while checking the job status". */
const DOING: Record<Step, string> = {
	submit: 'submitting the job',
	run: 'running the job',
	status: 'checking the job status',
	result: 'fetching the job result',
	upload: 'uploading the input image',
	credits: 'reading the credit balance',
	download: 'downloading the output image',
	receive: 'receiving the output image',
};

const join = (...parts: Array<string | undefined | false>) => parts.filter(Boolean).join(' ');

const getResultHint = (requestId: string) =>
	`Collect it with the Get Job Result operation and request ID ${requestId} within ${RESULT_RETENTION} (Segmind keeps results that long).`;

const mayStillComplete = (requestId: string) => `The job ${requestId} may still complete: use the Get Job Result operation to collect it.`;

/** What the user reads for `failure`: its title and what to do. */
export function failureText(failure: SegmindFailure): FailureText {
	return wordsFor(failure.facts, failure.requestId);
}

/**
 * A failed status check in brief, for a timeout's "(last status: …; the last check failed: …)":
 * its HTTP status, the connection's failure, else its title.
 */
export function failedCheckText(failure: SegmindFailure): string {
	if (failure.httpCode) return `HTTP ${failure.httpCode}`;
	if (failure.facts.problem === 'unreachable') return failure.facts.cause;
	return failureText(failure).message;
}

function wordsFor(facts: FailureFacts, requestId: string | undefined): FailureText {
	const job = requestId ?? 'unknown';
	switch (facts.problem) {
		case 'httpError':
			return httpErrorText(facts, requestId);
		case 'maybeBilled':
			return maybeBilledText(unprovenWhat(facts), requestId);
		case 'badSubmitAnswer':
			return facts.missing
				? {
						message: `Segmind accepted the job but its answer lacks ${facts.missing.join(', ')}`,
						description: maybeBilledText('its answer is incomplete', requestId).description,
					}
				: {
						message: 'Segmind accepted the job but its answer is not JSON',
						description: `${maybeBilledText('its answer is not JSON').description} Check the Base URL in the Segmind credential points at the API.`,
					};
		case 'itemTimeout':
			return {
				message: `${requestId ? `Segmind job ${requestId}: ` : ''}the item's Timeout (${seconds(facts.timeoutMs)}) ran out while ${DOING[facts.step]}${
					facts.lastTry ? ` (the last try: ${facts.lastTry})` : ''
				}`,
				description: requestId
					? `The job is running or done at Segmind and will be billed. ${getResultHint(requestId)} Or raise "Timeout (Seconds)" in the node's options.`
					: 'Nothing was billed for this item unless it was submitted. Raise "Timeout (Seconds)" in the node\'s options, or set "Max Jobs in Flight" when the rate limit makes items wait.',
			};
		case 'unreachable':
			return unreachableText(facts, requestId);
		case 'foreignHost':
			return {
				message: `Segmind's answer points at another host (${facts.origin}); the node sends the API key only to the credential's hosts (${facts.allowed.join(', ')})`,
				description: requestId
					? `Nothing was sent there. The job ${requestId} may have been created and billed: ${getResultHint(requestId)}`
					: 'Nothing was sent there. Check the Base URL in the Segmind credential.',
			};
		case 'unreadableJobAnswer':
			return {
				message: `Segmind's answer while ${DOING[facts.step]} for job ${job} ${facts.notJson ? 'is not JSON' : 'has no job status'}`,
				description: `The job may still complete. ${getResultHint(job)}`,
			};
		case 'expired':
			return {
				message: `Request ${job} expired or unknown`,
				description: `Segmind keeps a job's status and result for ${RESULT_RETENTION} after it is submitted. Check the request ID, or run the image again.`,
			};
		case 'jobFailed':
			return {
				message: `The Segmind job failed: ${facts.reason}`,
				description:
					'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.',
			};
		case 'jobTimedOut':
			return {
				message: `The Segmind job did not finish within ${Math.round(facts.timeoutMs / 1000)} s`,
				description: `Job ${job} (last status: ${facts.lastStatus}) is still running at Segmind and will be billed. ${getResultHint(job)} Or raise "Timeout (Seconds)" in the node's options.`,
			};
		case 'notCompleted':
			return { message: `Segmind says job ${job} is ${facts.jobStatus}, not COMPLETED`, description: '' };
		case 'noOutputUrl':
			return {
				message: `Segmind's result for job ${job} has no output image URL`,
				description: 'Expected "output" (a URL or a list of URLs) or "images[0].url" in the result.',
			};
		case 'imageLinkFailed':
			return [404, 403, 410].includes(facts.status)
				? {
						message: `The output image link on ${facts.host} is expired or gone (HTTP ${facts.status})`,
						description: `Output links live ${OUTPUT_LINK_LIFETIME}.`,
					}
				: { message: `Could not download the output image from ${facts.host} (HTTP ${facts.status})`, description: '' };
		case 'imageTooLarge': {
			const label = facts.host === undefined ? 'The image' : 'The output image';
			const cap = megabytes(facts.capBytes, 0);
			return {
				message:
					facts.bytes === undefined ? `${label} is over the ${cap} limit` : `${label} is ${megabytes(facts.bytes)}, over the ${cap} limit`,
				description: `Raise "Max Output Image Size (MB)" in the node's options${facts.host ? `, or fetch it from ${facts.host} yourself` : ''}.`,
			};
		}
		case 'notAnImage':
			return {
				message: `${facts.host === undefined ? "Segmind's v1 answer is not an image" : 'The output URL did not return an image'} (${facts.seen})`,
				description: '',
			};
		case 'imageIncomplete':
			return {
				message: `The output image from ${facts.host} is incomplete (${facts.detail})${requestId ? ` for job ${requestId}` : ''}`,
				description: join(
					'It was downloaded twice and arrived cut short both times.',
					requestId && `The job is done and billed: ${getResultHint(requestId)}`,
				),
			};
		case 'noUploadUrl':
			return { message: "Segmind's asset upload answered without a file URL (file_urls or urls)", description: '' };
		case 'creditsNotJson':
			return { message: 'Segmind answered the credit balance request without JSON', description: '' };
		case 'noBalance':
			return {
				message: 'Segmind answered the credit balance request without a balance',
				description:
					'Expected "credits" and "free-credits". No job was sent. Turn off "Check Credits First" to run without the check.',
			};
		case 'lowBalance':
			return lowBalanceText(facts);
	}
}

/** "Check Credits First" stopped the run before anything was sent: the balance, and what to do. */
function lowBalanceText(facts: Extract<FailureFacts, { problem: 'lowBalance' }>): FailureText {
	const { total, minimum } = facts;
	return {
		message:
			total <= 0
				? `Your Segmind credit balance is ${total}: no job was sent`
				: `Your Segmind credit balance is ${total}, below the ${minimum} set in "Minimum Credits": no job was sent`,
		description: `"Check Credits First" read the balance once before the batch (credits ${facts.credits} + free credits ${facts.freeCredits}) and stopped before any upload or job. Top up your credits in the Segmind console, then run the workflow again${
			total > 0 ? ', or lower "Minimum Credits"' : ''
		}.`,
	};
}

/** A non-2xx answer from the API (`said` is the server's own, redacted, text). */
function httpErrorText(facts: Extract<FailureFacts, { problem: 'httpError' }>, requestId: string | undefined): FailureText {
	const { status, maxRetries } = facts;
	const doing = DOING[facts.step];
	const said = facts.said ? `Segmind says: "${facts.said}"` : '';
	switch (true) {
		case status === 401:
			return {
				message: 'Segmind rejected the API key (401): it is missing or invalid',
				description: join('Check the API key in your Segmind API credential; keys are on the API Keys page of your Segmind console.', said),
			};
		case status === 403:
			return {
				message: 'Segmind refused access to this model for your account (403)',
				description: join('Check your Segmind plan and API key permissions.', said),
			};
		case status === 406:
			return {
				message: 'Insufficient Segmind credits to run this job (406)',
				description: join(said, 'Top up your credits in the Segmind console, then run the workflow again.'),
			};
		case status === 429:
			return {
				message: `Segmind rate limit reached while ${doing} (429), still after ${maxRetries} retries`,
				description: join(
					'Free plans allow 5 requests a minute, Pro 50. Set "Max Requests per Minute" to your plan limit, set "Max Jobs in Flight", or try later.',
					said,
				),
			};
		case status >= 500:
			return {
				message: `Segmind had a server error while ${doing} (HTTP ${status}), still after ${maxRetries} retries`,
				description: join(said, requestId ? mayStillComplete(requestId) : 'Try again later.'),
			};
		case status === 400 || status === 410 || status === 422:
			return {
				message: `Segmind rejected the request while ${doing} (HTTP ${status})${facts.said ? `: ${facts.said}` : ''}`,
				description: status === 410 ? 'Segmind says this model is retired.' : "Check the node's parameters.",
			};
		case status >= 300 && status < 400:
			return {
				message: `Segmind answered with a redirect (HTTP ${status}) while ${doing}`,
				description:
					'The node never follows a redirect with your API key (it could lead to another host). Check the Base URL and Upload Base URL in the Segmind credential (e.g. https, no extra path).',
			};
		default:
			return { message: `Segmind answered HTTP ${status} while ${doing}${facts.said ? `: ${facts.said}` : ''}`, description: '' };
	}
}

/** What came back instead of a usable answer to a job request. */
function unprovenWhat(unproven: Unproven): string {
	switch (unproven.after) {
		case 'noAnswer':
			return `no answer came back (${unproven.cause})`;
		case 'timeout':
			return `the item's Timeout ran out before ${unproven.awaiting === 'image' ? 'the whole image' : 'the answer'} came`;
		case 'serverError':
			return `Segmind answered HTTP ${unproven.status}`;
		case 'incompleteImage':
			return `its image arrived incomplete (${unproven.detail})`;
	}
}

/**
 * The submit (or v1 sync run) was sent and may have created a billed job, but the answer is
 * missing or unusable. `what` says what came back instead.
 */
function maybeBilledText(what: string, requestId?: string): FailureText {
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
 * A connection that failed (after retries where safe). On the public image host (not the API)
 * the message names that host instead of the credential's Base URL.
 */
function unreachableText(facts: Extract<FailureFacts, { problem: 'unreachable' }>, requestId: string | undefined): FailureText {
	const doing = DOING[facts.step];
	const jobHint = requestId && mayStillComplete(requestId);
	if (facts.imageHost) {
		return {
			message: `Could not reach the image host ${facts.imageHost} while ${doing}: ${facts.cause}`,
			description: join(`Check your network; the image is served by ${facts.imageHost}, not by the Base URL.`, jobHint),
		};
	}
	return {
		message: `Could not reach Segmind while ${doing}: ${facts.cause}`,
		description: join(`Check your network and the Base URL in the Segmind credential (${facts.baseUrl}).`, jobHint),
	};
}

/**
 * A node failure that leaves billed jobs behind names them, so their images can still be
 * collected: Segmind keeps them for RESULT_RETENTION.
 */
export function orphanedJobs<E extends NodeApiError | NodeOperationError>(error: E, requestIds: string[]): E {
	if (!requestIds.length) return error;
	error.description = join(
		error.description ?? undefined,
		`Jobs already sent and billed whose images were not delivered: ${requestIds.join(', ')}. Results are kept ${RESULT_RETENTION}: use Get Job Result with these request IDs.`,
	);
	error.context.undelivered_request_ids = requestIds;
	return error;
}
