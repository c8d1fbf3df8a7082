import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { ExecutionCancelledError, raceAbort, throwIfAborted } from '../helpers/abort';
import { backoffDelayMs, rateLimitPause, type RetryPolicy } from './backoff';
import type { Headers } from './wire';
import { waitForBudget } from './budgetWait';
import { Deadline, itemTimeUp, type ItemClock } from './deadline';
import type { RequestKind } from './requestKind';
import type { RequestScheduler } from './scheduler';
import { toTransportError, TransportError } from './transportError';

/** One HTTP call through n8n's helpers; `authenticated` adds the credential's x-api-key header. */
export type HttpCall = (options: IHttpRequestOptions, authenticated: boolean) => Promise<IN8nHttpFullResponse>;

/** How one attempt is sent. */
export interface AttemptOptions {
	authenticated: boolean;
	/** Longest time one attempt may take, answer included (not only an idle connection). */
	timeoutMs: number;
	/**
	 * The item's Timeout: once its first request is granted, nothing of this request runs past its
	 * deadline, waits for the request budget included. Running out gives TransportError ITEM_DEADLINE.
	 */
	itemClock?: ItemClock;
	/** The run's shared request budget; requests with the API key wait for it. */
	scheduler?: RequestScheduler;
	/** What the request is for (its priority when the budget is short). */
	kind?: RequestKind;
}

/** An answer, whatever its status code; for `encoding: 'stream'` the caller must `release()` it after reading the body. */
export interface Answer {
	statusCode: number;
	headers: Headers;
	body: unknown;
	/** The attempt's deadline, alive until released (streams: the body is read under it). */
	deadline: Deadline;
	release(): void;
}

/**
 * What one attempt came to: an answer (with the pause a retry would wait: a 429's reset time or
 * the backoff; `paced` when the request budget already holds everyone for a 429's pause), or no
 * answer (a connection failure, or the time ran out).
 */
export type Attempt = { answer: Answer; retryAfterMs: number; paced: boolean } | { failure: TransportError };

/**
 * One attempt: wait for the request budget, send under the attempt's deadline (the per-request
 * timeout, or the item's deadline when nearer), and tell the budget how it went. A request whose
 * deadline has passed before it could be sent is not sent. A user's Stop throws
 * ExecutionCancelledError. Requests with the API key never follow a redirect (n8n's HTTP layer
 * would carry the x-api-key header to any host).
 */
export async function sendOnce(
	http: HttpCall,
	request: IHttpRequestOptions,
	options: AttemptOptions,
	policy: RetryPolicy,
	attempt: number,
	signal?: AbortSignal,
): Promise<Attempt> {
	throwIfAborted(signal);
	const scheduler = options.authenticated ? options.scheduler : undefined;
	const ticket = scheduler ? await waitForBudget(scheduler, options.kind ?? 'other', options.itemClock, signal) : undefined;
	const startedNow = options.itemClock?.start() ?? false;
	const itemEnd = options.itemClock?.deadline ?? Number.POSITIVE_INFINITY;
	const until = Math.min(Date.now() + options.timeoutMs, itemEnd);
	if (until <= Date.now()) {
		ticket?.failed();
		return { failure: itemTimeUp(false) };
	}
	const deadline = new Deadline(until, signal);
	const sent = http(
		{
			...request,
			ignoreHttpStatusErrors: true,
			returnFullResponse: true,
			timeout: options.timeoutMs,
			abortSignal: deadline.signal,
			...(options.authenticated ? { disableFollowRedirect: true } : {}),
		},
		options.authenticated,
	);
	const outcome = await raceAbort(sent, deadline.signal).then(
		(response) => ({ response }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		deadline.dispose();
		ticket?.failed();
		if (signal?.aborted) throw new ExecutionCancelledError();
		if (!deadline.expired) return { failure: toTransportError(outcome.error) };
		const failure = until >= itemEnd ? itemTimeUp(true, 'no answer arrived in time') : new TransportError('ETIMEDOUT', 'no answer arrived in time');
		return { failure };
	}
	const { statusCode } = outcome.response;
	const headers = (outcome.response.headers ?? {}) as Headers;
	const answer: Answer = { statusCode, headers, body: outcome.response.body, deadline, release: () => deadline.dispose() };
	if (statusCode !== 429) {
		ticket?.done();
		return { answer, retryAfterMs: backoffDelayMs(attempt, policy), paced: false };
	}
	// A 429 pauses every request on the key (they all wait in the budget), not just this one.
	const { pauseMs, resetInMs } = rateLimitPause(headers, attempt, policy);
	ticket?.rateLimited(pauseMs, resetInMs);
	if (startedNow) options.itemClock?.unstart();
	return { answer, retryAfterMs: pauseMs, paced: ticket !== undefined };
}
