/**
 * What went wrong talking to Segmind, as facts: the transport and the operations throw a
 * SegmindFailure saying what happened and while doing what; `messages.ts` words it and
 * `toNodeError.ts` turns it into the n8n error a user reads. Nothing here knows HTTP or n8n, and
 * a failure never carries request data (the API key).
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

/** What the node was doing when it failed. */
export type Step =
	| 'submit' // POST /v2/face-to-many
	| 'run' // POST /v1/face-to-many, the legacy one-request job
	| 'status'
	| 'result'
	| 'upload' // the input image to Segmind's storage
	| 'credits' // the credit balance
	| 'download' // the output image, from its public host
	| 'receive'; // reading the output image's bytes once the download answered

/** Why a job request (submit, v1 run) that was sent proves nothing: a job may exist, and be billed. */
export type Unproven =
	| { after: 'noAnswer'; cause: string }
	| { after: 'timeout'; awaiting: 'answer' | 'image' }
	| { after: 'serverError'; status: number }
	| { after: 'incompleteImage'; detail: string };

/**
 * The facts of each kind of failure, no more than its words need. `status` is always an HTTP
 * status code; `host` (image failures) is the public host the output image came from, absent
 * for the v1 answer.
 */
export type FailureFacts =
	/** Segmind answered with an HTTP error, after the retries that were safe (`maxRetries` allowed). */
	| { problem: 'httpError'; step: Step; status: number; said?: string; maxRetries: number }
	| ({ problem: 'maybeBilled'; step: 'submit' | 'run' } & Unproven)
	/** The submit was accepted (2xx) but its answer is not JSON (`missing` absent) or lacks fields. */
	| { problem: 'badSubmitAnswer'; missing?: string[] }
	/** The item's Timeout ran out during a request, a retry wait or a wait for the request budget. */
	| { problem: 'itemTimeout'; step: Step; timeoutMs: number; lastTry?: string }
	| { problem: 'unreachable'; step: Step; cause: string; baseUrl: string; imageHost?: string }
	/** A URL the API key would go to is not on the credential's hosts (`allowed`); nothing was sent. */
	| { problem: 'foreignHost'; origin: string; allowed: string[] }
	/** A 2xx status or result answer that is no job state, after retries. */
	| { problem: 'unreadableJobAnswer'; step: Step; notJson: boolean }
	| { problem: 'expired' }
	| { problem: 'jobFailed'; reason: string }
	| { problem: 'jobTimedOut'; timeoutMs: number; lastStatus: string }
	| { problem: 'notCompleted'; jobStatus: string }
	| { problem: 'noOutputUrl' }
	| { problem: 'imageLinkFailed'; status: number; host: string }
	| { problem: 'imageTooLarge'; host?: string; bytes?: number; capBytes: number }
	| { problem: 'notAnImage'; host?: string; seen: string }
	/** The output image arrived cut short, twice. */
	| { problem: 'imageIncomplete'; host: string; detail: string }
	| { problem: 'noUploadUrl' }
	| { problem: 'creditsNotJson' }
	/** "Check Credits First": the balance answer holds no balance; nothing was sent. */
	| { problem: 'noBalance' }
	/** "Check Credits First": the balance (`total` = credits + free credits) is zero or below `minimum`; nothing was sent. */
	| { problem: 'lowBalance'; total: number; credits: number; freeCredits: number; minimum: number };

/** What a failure may know besides its facts. */
export interface FailureContext {
	requestId?: string;
	/** The HTTP status of the answer that failed, when it is not one of the facts. */
	httpCode?: number;
	/** The server's parsed answer (redacted; never request data). */
	body?: unknown;
}

/** The kind of an HTTP error status (every 3xx, and codes Segmind does not document, are 'http'). */
export function kindOfStatus(status: number): FailureKind {
	if (status === 401 || status === 403) return 'auth';
	if (status === 406) return 'credits';
	if (status === 429) return 'rateLimited';
	if (status >= 500) return 'server';
	if (status === 400 || status === 410 || status === 422) return 'rejected';
	return 'http';
}

/** The kind of a failure, from its facts (exhaustive: a new problem must say its kind). */
function kindOf(facts: FailureFacts): FailureKind {
	switch (facts.problem) {
		case 'httpError':
			return kindOfStatus(facts.status);
		case 'maybeBilled':
			if (facts.after === 'serverError') return 'server';
			return facts.after === 'incompleteImage' ? 'badResponse' : 'uncertainSubmit';
		case 'itemTimeout':
		case 'jobTimedOut':
			return 'timeout';
		case 'unreachable':
			return 'network';
		case 'expired':
			return 'expired';
		case 'jobFailed':
			return 'failed';
		case 'imageLinkFailed':
		case 'imageTooLarge':
		case 'imageIncomplete':
			return 'download';
		case 'notAnImage':
			return facts.host === undefined ? 'badResponse' : 'download';
		case 'badSubmitAnswer':
		case 'foreignHost':
		case 'unreadableJobAnswer':
		case 'notCompleted':
		case 'noOutputUrl':
		case 'noUploadUrl':
		case 'creditsNotJson':
		case 'noBalance':
			return 'badResponse';
		case 'lowBalance':
			return 'credits';
	}
}

export class SegmindFailure extends Error {
	readonly kind: FailureKind;

	readonly facts: FailureFacts;

	readonly httpCode?: number;

	readonly requestId?: string;

	/** The server's parsed error body (never request data). */
	readonly body?: Record<string, unknown>;

	/** What happened, as facts (worded at the edge, by errors/messages.ts). */
	constructor(facts: FailureFacts, context: FailureContext = {}) {
		super(summary(facts));
		this.name = 'SegmindFailure';
		this.facts = facts;
		this.kind = kindOf(facts);
		this.httpCode = context.httpCode ?? ('status' in facts ? facts.status : undefined);
		this.requestId = context.requestId;
		this.body = isRecord(context.body) ? context.body : undefined;
	}

	/** A timeout: what the last try got (e.g. "HTTP 503", "no answer arrived in time"). */
	get lastTry(): string | undefined {
		return this.facts.problem === 'itemTimeout' ? this.facts.lastTry : undefined;
	}
}

/**
 * The error's own message, for logs and for what a caller reads in passing (a failed status
 * check's detail): a connection failure's cause, else the problem and its facts. Users read the
 * words of messages.ts.
 */
function summary(facts: FailureFacts): string {
	if ('cause' in facts) return facts.cause;
	const { problem, ...rest } = facts;
	return `Segmind ${problem} ${JSON.stringify(rest)}`;
}

/** The job was still running when the item's Timeout ran out (`lastStatus`: what the checks saw last). */
export function timedOut(requestId: string, timeoutMs: number, lastStatus: string): SegmindFailure {
	return new SegmindFailure({ problem: 'jobTimedOut', timeoutMs, lastStatus }, { requestId });
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
