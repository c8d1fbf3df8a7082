import type { IHttpRequestOptions } from 'n8n-workflow';

import { abortableSleep } from '../helpers/abort';
import { backoffDelayMs, type RetryPolicy } from './backoff';
import { sendOnce, type Answer, type AttemptOptions, type HttpCall } from './attempt';
import { describeTry, retriesAnswer, retriesFailure, RetryTiming, type RetryMode } from './retry';

export type { HttpCall } from './attempt';
export type { RetryMode } from './retry';

import type { HttpResponse } from './wire';

/** Parse a body that may be JSON text, a Buffer, or already an object. */
export function parseBody(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (body instanceof ArrayBuffer) body = Buffer.from(body).toString('utf8');
	if (typeof body === 'string') {
		const text = body.trim();
		if (text.startsWith('{') || text.startsWith('[')) {
			try {
				return JSON.parse(text) as unknown;
			} catch {
				return body;
			}
		}
	}
	return body;
}

export interface SendOptions extends AttemptOptions {
	retry: RetryMode;
	/**
	 * Epoch ms after which no retry starts (the job's own timeout, for status polls): a wait that
	 * would pass it is cut short to one last try at the deadline, and past it nothing is retried.
	 */
	deadline?: number;
	/**
	 * For idempotent requests: false when a 2xx answer is not usable (e.g. unreadable JSON), so it
	 * is retried like a transient error.
	 */
	usable?: (response: HttpResponse) => boolean;
}

/** A final answer; for `encoding: 'stream'` the caller must `release()` it after reading the body. */
export type SentResponse = Answer;

/** Drop a streamed body that will not be read. */
export function discardBody(body: unknown): void {
	const stream = body as { destroy?: (error?: Error) => void } | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}

/**
 * Send a request, retrying what is safe to retry, and return the final response whatever its
 * status code (callers map codes to meaning). Each try is one attempt (attempt.ts: the request
 * budget decides when it goes); whether and after how long it is tried again is the retry
 * decision's (retry.ts). Requests with the API key never follow a redirect; a 3xx is returned as
 * it is. Public requests (image downloads) follow redirects.
 */
export async function sendWithRetry(
	http: HttpCall,
	request: IHttpRequestOptions,
	options: SendOptions,
	policy: RetryPolicy,
	signal?: AbortSignal,
): Promise<SentResponse> {
	const timing = new RetryTiming(options.deadline, () => options.itemClock?.deadline);
	const streamed = request.encoding === 'stream';
	/** Drop an answer that will not be returned. */
	const drop = (answer: Answer) => {
		if (streamed) discardBody(answer.body);
		answer.release();
	};
	for (let attempt = 0; ; attempt++) {
		const tried = await sendOnce(http, request, options, policy, attempt, signal);
		if ('failure' in tried) {
			const failure = tried.failure.itemDeadline ? timing.timeUp(tried.failure) : tried.failure;
			if (!retriesFailure(failure, options.retry) || attempt >= policy.maxRetries) throw failure;
			const next = timing.nextTry(backoffDelayMs(attempt, policy), !failure.neverSent, failure.message);
			if ('timeUp' in next) throw next.timeUp;
			if (next.waitMs === undefined) throw failure;
			await abortableSleep(next.waitMs, signal);
			continue;
		}
		const { answer, retryAfterMs, paced } = tried;
		const description = describeTry(answer.statusCode, retryAfterMs);
		timing.answered(description);
		if (!retriesAnswer(answer, options.retry, options.usable) || attempt >= policy.maxRetries) {
			if (!streamed) answer.release();
			return answer;
		}
		// A 429 created nothing; a 5xx on a GET does not matter: either way the request "was not sent".
		const next = timing.nextTry(retryAfterMs, false, description);
		if ('timeUp' in next) {
			drop(answer);
			throw next.timeUp;
		}
		const { waitMs } = next;
		if (waitMs === undefined) {
			if (!streamed) answer.release();
			return answer;
		}
		drop(answer);
		// A 429's pause is waited in the request budget, together with every item.
		if (!paced) await abortableSleep(waitMs, signal);
	}
}
