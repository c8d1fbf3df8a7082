/**
 * What went wrong talking to Segmind, in terms a user can act on. The transport throws these;
 * `errors.ts` turns them into n8n errors. They never carry request headers (the API key).
 */
export type FailureKind =
	| 'auth' // 401/403: key missing, wrong, or not allowed
	| 'credits' // 406: not enough credits
	| 'rejected' // 400/410/422 on submit: the API refused the parameters
	| 'failed' // job FAILED (includes content blocks)
	| 'expired' // 404 while polling: unknown or expired request id
	| 'rateLimited' // 429 after retries
	| 'server' // 5xx after retries
	| 'network' // connection failed after retries
	| 'uncertainSubmit' // submit sent but no answer: a job may exist
	| 'badResponse' // a 2xx answer we cannot use
	| 'download' // the output image could not be fetched or is not an image
	| 'timeout' // the job did not finish in time
	| 'http'; // any other HTTP error

export class SegmindFailure extends Error {
	readonly kind: FailureKind;

	readonly httpCode?: number;

	readonly requestId?: string;

	readonly description: string;

	/** A timeout: what the last try got (e.g. "HTTP 503", "no answer arrived in time"). */
	readonly lastTry?: string;

	/** The server's parsed error body (never request data). */
	readonly body?: Record<string, unknown>;

	constructor(
		kind: FailureKind,
		message: string,
		details: { description?: string; httpCode?: number; requestId?: string; body?: unknown; lastTry?: string } = {},
	) {
		super(message);
		this.name = 'SegmindFailure';
		this.kind = kind;
		this.httpCode = details.httpCode;
		this.requestId = details.requestId;
		this.description = details.description ?? '';
		this.body = isRecord(details.body) ? details.body : undefined;
		this.lastTry = details.lastTry;
	}
}

export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** The server's human-readable error text, from `{"error": "..."}` or similar. */
export function serverErrorText(body: unknown): string | undefined {
	if (typeof body === 'string') {
		const text = body.trim();
		if (!text || /^<(!doctype|html)/i.test(text)) return undefined;
		return text.length > 300 ? `${text.slice(0, 297)}…` : text;
	}
	if (!isRecord(body)) return undefined;
	for (const key of ['error', 'detail', 'message']) {
		const value = body[key];
		if (typeof value === 'string' && value.trim()) return value.trim();
		if (isRecord(value) && typeof value.message === 'string') return value.message;
	}
	return undefined;
}

/** What replaces a secret in any text that came from the server. */
export const REDACTED = '[redacted]';

/**
 * A function that replaces every given secret (the API key) in a text. Secrets shorter than 4
 * characters are ignored: replacing them would garble texts without protecting anything.
 */
export function redactor(secrets: readonly string[] = []): (text: string) => string {
	const found = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length >= 4))].sort((a, b) => b.length - a.length);
	if (!found.length) return (text) => text;
	return (text) => found.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}

/** A copy of parsed JSON (or a string) with `redact` applied to every string, keys included. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
	if (typeof value === 'string') return redact(value) as T;
	if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, redact)) as T;
	if (isRecord(value)) {
		const out: Record<string, unknown> = {};
		for (const [key, v] of Object.entries(value)) out[redact(key)] = redactDeep(v, redact);
		return out as T;
	}
	return value;
}
