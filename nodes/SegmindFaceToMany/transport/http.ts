import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { abortableSleep, ExecutionCancelledError, raceAbort, throwIfAborted } from '../helpers/abort';
import { backoffDelayMs, rateLimitDelayMs, type RetryPolicy } from './backoff';
import { Deadline, type ItemClock } from './deadline';
import type { RequestKind, RequestScheduler, Ticket } from './scheduler';
import { ITEM_DEADLINE, toTransportError, TransportError } from './transportError';
import type { HttpResponse } from './wire';

/** One HTTP call through n8n's helpers; `authenticated` adds the credential's x-api-key header. */
export type HttpCall = (options: IHttpRequestOptions, authenticated: boolean) => Promise<IN8nHttpFullResponse>;

/**
 * When a request may be sent again.
 * - `idempotent`: GETs (and the free asset upload); retry 429, 5xx and any connection failure.
 * - `submit`: a POST that creates a billed job; retry only when no job can exist: a 429, or a
 *   connection that failed before the request was sent. A 5xx, a reset or a timeout after
 *   sending does not prove that no job was created, so they are never retried.
 */
export type RetryMode = 'idempotent' | 'submit';

// The answer's shape lives in wire.ts; re-exported for the files that import it from here.
export type { HttpResponse } from './wire';

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

export interface SendOptions {
	authenticated: boolean;
	retry: RetryMode;
	/** Longest time one attempt may take, answer included (not only an idle connection). */
	timeoutMs: number;
	/**
	 * Epoch ms after which no retry starts (the job's own timeout, for status polls): a wait that
	 * would pass it is cut short to one last try at the deadline, and past it nothing is retried.
	 */
	deadline?: number;
	/**
	 * The item's Timeout: once its first request is granted, nothing of this request runs past its
	 * deadline, waits for the request budget and retry waits included. Running out throws
	 * TransportError ITEM_DEADLINE.
	 */
	itemClock?: ItemClock;
	/** The run's shared request budget; requests with the API key wait for it. */
	scheduler?: RequestScheduler;
	/** What the request is for (its priority when the budget is short). */
	kind?: RequestKind;
	/**
	 * For idempotent requests: false when a 2xx answer is not usable (e.g. unreadable JSON), so it
	 * is retried like a transient error.
	 */
	usable?: (response: HttpResponse) => boolean;
}

/** A final answer; for `encoding: 'stream'` the caller must `release()` it after reading the body. */
export interface SentResponse extends HttpResponse {
	/** The attempt's deadline, alive until released (streams: the body is read under it). */
	deadline: Deadline;
	release(): void;
}

/** Drop a streamed body that will not be read. */
export function discardBody(body: unknown): void {
	const stream = body as { destroy?: (error?: Error) => void } | undefined;
	if (stream && typeof stream.destroy === 'function') stream.destroy();
}

/**
 * Send a request, retrying what is safe to retry, and return the final response
 * whatever its status code (callers map codes to meaning). Requests with the API key never
 * follow a redirect (n8n's HTTP layer would carry the x-api-key header to any host); a 3xx is
 * returned as it is. Public requests (image downloads) follow redirects.
 */
export async function sendWithRetry(
	http: HttpCall,
	request: IHttpRequestOptions,
	options: SendOptions,
	policy: RetryPolicy,
	signal?: AbortSignal,
): Promise<SentResponse> {
	let lastTryDone = false;
	/** The item's deadline as it stands (undefined before its first request was granted). */
	const hardDeadline = () => options.itemClock?.deadline;
	/** The wait before the next try, fitted to the deadlines; undefined when no try is left. */
	/** Thrown when the item's deadline comes before the next try could. */
	const itemTimeUp = (sent: boolean, lastTry?: string) =>
		new TransportError(ITEM_DEADLINE, lastTry ?? 'the request could not be sent in time', sent, lastTry);
	/**
	 * The wait before the next try, fitted to the deadlines; undefined when no try is left.
	 * A try that could not start before the item's deadline is no try: the item's time ran out.
	 */
	const nextWait = (delayMs: number, sent: boolean, lastTry: string): number | undefined => {
		const itemEnd = hardDeadline();
		if (itemEnd !== undefined && Date.now() + delayMs >= itemEnd) throw itemTimeUp(sent, lastTry);
		if (lastTryDone) return undefined;
		if (options.deadline === undefined) return delayMs;
		const left = options.deadline - Date.now();
		if (left <= 0) return undefined;
		if (left <= delayMs) lastTryDone = true;
		return Math.min(delayMs, left);
	};
	const scheduler = options.authenticated ? options.scheduler : undefined;
	const streamed = request.encoding === 'stream';
	for (let attempt = 0; ; attempt++) {
		throwIfAborted(signal);
		const ticket = scheduler ? await waitForBudget(scheduler, options, signal, () => itemTimeUp(false)) : undefined;
		options.itemClock?.start();
		const itemEnd = hardDeadline();
		const until = Math.min(Date.now() + options.timeoutMs, itemEnd ?? Number.POSITIVE_INFINITY);
		const deadline = new Deadline(until, signal);
		let response: IN8nHttpFullResponse | undefined;
		let failure: TransportError | undefined;
		try {
			response = await raceAbort(
				http(
					{
						...request,
						ignoreHttpStatusErrors: true,
						returnFullResponse: true,
						timeout: options.timeoutMs,
						abortSignal: deadline.signal,
						...(options.authenticated ? { disableFollowRedirect: true } : {}),
					},
					options.authenticated,
				),
				deadline.signal,
			);
		} catch (error) {
			if (signal?.aborted) failure = undefined;
			else if (deadline.expired) {
				failure =
					itemEnd !== undefined && until >= itemEnd
						? itemTimeUp(true, 'no answer arrived in time')
						: new TransportError('ETIMEDOUT', 'no answer arrived in time');
			} else failure = toTransportError(error);
		}
		if (!response) {
			deadline.dispose();
			ticket?.done();
			if (!failure) throw new ExecutionCancelledError();
			if (failure.itemDeadline) throw failure;
			const safe = options.retry === 'idempotent' || failure.neverSent;
			if (!safe || attempt >= policy.maxRetries) throw failure;
			const delayMs = nextWait(backoffDelayMs(attempt, policy), !failure.neverSent, failure.message);
			if (delayMs === undefined) throw failure;
			await abortableSleep(delayMs, signal);
			continue;
		}
		const statusCode = response.statusCode;
		const headers = (response.headers ?? {}) as HttpResponse['headers'];
		const told = statusCode === 429 ? rateLimitDelayMs(headers) : undefined;
		// A 429 pauses the whole run (every item waits in the scheduler), not just this request.
		const pauseMs = told === undefined ? backoffDelayMs(attempt, policy) : Math.min(policy.maxRateLimitWaitMs, told + 100);
		if (statusCode === 429) ticket?.rateLimited(pauseMs, told !== undefined);
		else ticket?.done();
		const final: SentResponse = {
			statusCode,
			headers,
			body: response.body,
			deadline,
			release: () => deadline.dispose(),
		};
		const unusable = statusCode >= 200 && statusCode < 300 && options.usable !== undefined && !options.usable(final);
		const retryable =
			statusCode === 429 || (options.retry === 'idempotent' && (statusCode >= 500 || unusable));
		if (!retryable || attempt >= policy.maxRetries) {
			if (!streamed) final.release();
			return final;
		}
		let delayMs: number | undefined;
		let cut: unknown;
		try {
			// A 429 created nothing; a 5xx on a GET does not matter: either way the request "was not sent".
			delayMs = nextWait(pauseMs, false, statusCode === 429 ? `HTTP 429, asked to wait ${Math.round(pauseMs / 1000)} s` : `HTTP ${statusCode}`);
		} catch (error) {
			cut = error;
		}
		if (cut || delayMs === undefined) {
			if (!streamed || cut) final.release();
			if (streamed && cut) discardBody(response.body);
			if (cut) throw cut;
			return final;
		}
		if (streamed) discardBody(response.body);
		final.release();
		// With a scheduler, the pause of a 429 is waited for in acquire(), together with every item.
		if (!(statusCode === 429 && ticket)) await abortableSleep(delayMs, signal);
	}
}

/**
 * Wait for the request budget. Once the item has started (its first request was granted), the
 * wait ends at the item's deadline. Before that, the item only waits in line behind the others
 * (a batch larger than the rate limit allows queues its later items) and its Timeout does not
 * run, except while Segmind has paused everyone with a 429: an item that has waited its whole
 * Timeout while such a pause lasts, or would have to, fails (nothing was sent for it).
 */
async function waitForBudget(
	scheduler: RequestScheduler,
	options: SendOptions,
	signal: AbortSignal | undefined,
	timeUp: () => TransportError,
): Promise<Ticket> {
	const clock = options.itemClock;
	const started = () => clock?.deadline !== undefined;
	if (clock && !started() && scheduler.pausedUntil > Date.now() + clock.timeoutMs) throw timeUp();
	// One place in line, kept however long the wait: `giveUp` aborts it (or the user's Stop does).
	const giveUp = new AbortController();
	const onStop = () => giveUp.abort();
	if (signal?.aborted) giveUp.abort();
	signal?.addEventListener('abort', onStop, { once: true });
	const pending = scheduler.acquire(options.kind ?? 'other', giveUp.signal).then(
		(ticket) => ({ ticket }),
		(error: unknown) => ({ error }),
	);
	try {
		for (;;) {
			const waitEnd = clock ? (clock.deadline ?? Date.now() + clock.timeoutMs) : undefined;
			const timer = waitEnd !== undefined ? new Deadline(waitEnd) : undefined;
			const rang = new Promise<{ rang: true }>((resolve) =>
				timer?.signal.addEventListener('abort', () => resolve({ rang: true }), { once: true }),
			);
			const first = await Promise.race([pending, rang]);
			timer?.dispose();
			if ('ticket' in first) return first.ticket;
			if ('error' in first) throw first.error;
			// Waited in line a whole Timeout without starting, and no 429 pause holds it: keep its place.
			if (!started() && scheduler.pausedUntil <= Date.now()) continue;
			giveUp.abort();
			const late = await pending;
			if ('ticket' in late) late.ticket.done();
			throw timeUp();
		}
	} finally {
		signal?.removeEventListener('abort', onStop);
	}
}
