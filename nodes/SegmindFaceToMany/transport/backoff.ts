import { header as headerOf, type Headers } from './wire';

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

/** Milliseconds to wait as told by Retry-After or x-rate-limit-reset-at-utc, if either is present. */
export function rateLimitDelayMs(headers: Headers, now = Date.now()): number | undefined {
	const header = (name: string) => headerOf(headers, name);
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

/**
 * How long everyone pauses after a 429: until a little after the reset time the server gave
 * (`resetInMs` from now), at most `maxRateLimitWaitMs`; else the backoff of this attempt.
 */
export function rateLimitPause(headers: Headers, attempt: number, policy: RetryPolicy): { pauseMs: number; resetInMs?: number } {
	const resetInMs = rateLimitDelayMs(headers);
	if (resetInMs === undefined) return { pauseMs: backoffDelayMs(attempt, policy) };
	return { pauseMs: Math.min(policy.maxRateLimitWaitMs, resetInMs + 100), resetInMs };
}
