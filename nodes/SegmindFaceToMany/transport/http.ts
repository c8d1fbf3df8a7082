import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import { abortableSleep, ExecutionCancelledError, raceAbort, throwIfAborted } from '../helpers/abort';
import type { RequestKind, RequestScheduler, Ticket } from './scheduler';

/** One HTTP call through n8n's helpers; `authenticated` adds the credential's x-api-key header. */
export type HttpCall = (options: IHttpRequestOptions, authenticated: boolean) => Promise<IN8nHttpFullResponse>;

export interface RetryPolicy {
	/** Retries after the first attempt, for 429, 5xx and (where safe) connection failures. */
	maxRetries: number;
	/** First backoff delay; doubles each retry, with jitter, up to maxDelayMs. */
	baseDelayMs: number;
	maxDelayMs: number;
	/** Longest wait honoured from Retry-After / x-rate-limit-reset-at-utc. */
	maxRateLimitWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 4,
	baseDelayMs: 1000,
	maxDelayMs: 30_000,
	maxRateLimitWaitMs: 60_000,
};

/**
 * When a request may be sent again.
 * - `idempotent`: GETs; retry 429, 5xx and any connection failure.
 * - `submit`: a POST that creates a billed job; retry only when no job can exist
 *   (429, 5xx answered by the submit itself, connection refused before sending).
 */
export type RetryMode = 'idempotent' | 'submit';

export interface HttpResponse {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: unknown;
}

/** A connection-level failure, stripped of the request (and so of the API key). */
export class TransportError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
		this.name = 'TransportError';
	}

	/** True when the request surely never reached the server. */
	get neverSent(): boolean {
		return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(this.code);
	}
}

const ERROR_CODES =
	/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ECONNABORTED|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ERR_CANCELED)\b/;

/** Reduce whatever the n8n helper threw to a code and a short, key-free message. */
export function toTransportError(error: unknown): TransportError {
	const candidates: unknown[] = [];
	let current: unknown = error;
	for (let depth = 0; current && depth < 4; depth++) {
		candidates.push(current);
		current = (current as { cause?: unknown }).cause;
	}
	let code = '';
	for (const candidate of candidates) {
		const c = candidate as { code?: unknown };
		if (!code && typeof c.code === 'string' && c.code) code = c.code;
	}
	const text = candidates.map((c) => String((c as Error)?.message ?? '')).join(' ');
	const fromText = ERROR_CODES.exec(text);
	if ((!code || code === 'ERR_BAD_RESPONSE' || code === 'ERR_BAD_REQUEST') && fromText) code = fromText[1];
	if (/timeout of \d+ms exceeded/i.test(text)) code = 'ETIMEDOUT';
	if (/socket hang up/i.test(text) && !code) code = 'ECONNRESET';
	return new TransportError(code || 'EUNKNOWN', describeTransport(code || 'EUNKNOWN'));
}

function describeTransport(code: string): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'the server refused the connection';
		case 'ECONNRESET':
		case 'EPIPE':
			return 'the connection was closed before the answer arrived';
		case 'ETIMEDOUT':
		case 'ESOCKETTIMEDOUT':
		case 'ECONNABORTED':
			return 'no answer arrived in time';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'the host name could not be resolved';
		default:
			return `the connection failed (${code})`;
	}
}

/** Milliseconds to wait as told by Retry-After or x-rate-limit-reset-at-utc, if either is present. */
export function rateLimitDelayMs(headers: HttpResponse['headers'], now = Date.now()): number | undefined {
	const header = (name: string) => {
		const value = headers[name];
		return Array.isArray(value) ? value[0] : value;
	};
	const delays: number[] = [];
	const retryAfter = header('retry-after');
	if (retryAfter) {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds)) delays.push(seconds * 1000);
		else if (!Number.isNaN(Date.parse(retryAfter))) delays.push(Date.parse(retryAfter) - now);
	}
	const resetAt = header('x-rate-limit-reset-at-utc');
	if (resetAt) {
		const numeric = Number(resetAt);
		let at = Number.NaN;
		if (Number.isFinite(numeric)) at = numeric > 1e12 ? numeric : numeric * 1000;
		else at = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(resetAt) ? resetAt : `${resetAt}Z`);
		if (!Number.isNaN(at)) delays.push(at - now);
	}
	if (delays.length === 0) return undefined;
	return Math.max(0, ...delays);
}

export function backoffDelayMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
	const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	return Math.round(exponential * (0.5 + random() / 2));
}

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
	timeoutMs: number;
	/**
	 * Epoch ms after which no retry starts (the job's own timeout, for status polls): a wait that
	 * would pass it is cut short to one last try at the deadline, and past it nothing is retried.
	 */
	deadline?: number;
	/** The run's shared request budget; requests with the API key wait for it. */
	scheduler?: RequestScheduler;
	/** What the request is for (its priority when the budget is short). */
	kind?: RequestKind;
	/** Called before each retry wait, e.g. for logging. */
	onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

/**
 * Send a request, retrying what is safe to retry, and return the final response
 * whatever its status code (callers map codes to meaning).
 */
export async function sendWithRetry(
	http: HttpCall,
	request: IHttpRequestOptions,
	options: SendOptions,
	policy: RetryPolicy,
	signal?: AbortSignal,
): Promise<HttpResponse> {
	let lastTry = false;
	/** The wait before the next try, fitted to the deadline; undefined when no try is left. */
	const nextWait = (delayMs: number): number | undefined => {
		if (lastTry) return undefined;
		if (options.deadline === undefined) return delayMs;
		const left = options.deadline - Date.now();
		if (left <= 0) return undefined;
		if (left <= delayMs) lastTry = true;
		return Math.min(delayMs, left);
	};
	const scheduler = options.authenticated ? options.scheduler : undefined;
	for (let attempt = 0; ; attempt++) {
		throwIfAborted(signal);
		const ticket: Ticket | undefined = await scheduler?.acquire(options.kind ?? 'other', signal);
		let response: IN8nHttpFullResponse;
		try {
			response = await raceAbort(
				http(
					{
						...request,
						ignoreHttpStatusErrors: true,
						returnFullResponse: true,
						timeout: options.timeoutMs,
						...(signal ? { abortSignal: signal } : {}),
					},
					options.authenticated,
				),
				signal,
			);
		} catch (error) {
			ticket?.done();
			if (error instanceof ExecutionCancelledError || signal?.aborted) throw new ExecutionCancelledError();
			const failure = toTransportError(error);
			const safe = options.retry === 'idempotent' || failure.neverSent;
			if (!safe) throw failure;
			if (attempt >= policy.maxRetries) throw failure;
			const delayMs = nextWait(backoffDelayMs(attempt, policy));
			if (delayMs === undefined) throw failure;
			options.onRetry?.({ attempt: attempt + 1, delayMs, reason: failure.message });
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
		const retryable = statusCode === 429 || statusCode >= 500;
		if (!retryable || attempt >= policy.maxRetries) return { statusCode, headers, body: response.body };
		const delayMs = nextWait(pauseMs);
		if (delayMs === undefined) return { statusCode, headers, body: response.body };
		options.onRetry?.({ attempt: attempt + 1, delayMs, reason: `HTTP ${statusCode}` });
		// With a scheduler, the pause of a 429 is waited for in acquire(), together with every item.
		if (!(statusCode === 429 && ticket)) await abortableSleep(delayMs, signal);
	}
}

