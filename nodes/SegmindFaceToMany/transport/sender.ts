/**
 * One request the way the client sends it: with its retry policy, the user's Stop, the item's
 * Timeout and the run's request budget (all in http.ts); the API key only to the credential's
 * hosts; a connection that failed turned into a SegmindFailure of facts; answers handed back
 * parsed and redacted, or streamed as they came.
 */
import { redactDeep, redactor, SegmindFailure, type Step, type Unproven } from '../errors/failures';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';
import type { ItemClock } from './deadline';
import { parseBody, sendWithRetry, type HttpCall, type RetryMode, type SentResponse } from './http';
import type { ReceiveLimits } from './imageAnswer';
import type { RequestKind, RequestScheduler } from './scheduler';
import { TransportError } from './transportError';
import { originOf, type HttpResponse } from './wire';

export interface ClientConfig {
	baseUrl: string;
	uploadBaseUrl: string;
	retry?: Partial<RetryPolicy>;
	/** Longest time one request may take, its whole answer included. */
	requestTimeoutMs: number;
	maxDownloadBytes: number;
	signal?: AbortSignal;
	/** The run's shared request budget (one per node run, shared by all items). */
	scheduler?: RequestScheduler;
	/** Texts never to let through from the server's answers (the credential's API key). */
	secrets?: string[];
	/** The item's Timeout, counted from its first request; set by SegmindClient.forItem(). */
	itemClock?: ItemClock;
}

/** What a request is for: its failures say so. */
export interface Call {
	step: Step;
	requestId?: string;
	/** The public host of an image download (its failures name it, not the Base URL). */
	imageHost?: string;
}

/**
 * How a request is sent: `authenticated` adds the API key (and forbids following redirects);
 * `retry` says when it may be re-sent; `kind` is its priority in the budget; `deadline` (epoch
 * ms) ends its retries; `timeoutMs` replaces the per-request time limit; `usable` says whether a
 * 2xx answer can be read (an unreadable one is retried like a 5xx).
 */
export interface How {
	authenticated: boolean;
	retry: RetryMode;
	kind: RequestKind;
	deadline?: number;
	timeoutMs?: number;
	usable?: (response: HttpResponse) => boolean;
}

export class Sender {
	readonly policy: RetryPolicy;

	private readonly redact: (text: string) => string;

	/** The origins the API key may be sent to: the credential's Base URL and Upload Base URL. */
	private readonly keyOrigins: string[];

	constructor(
		private readonly http: HttpCall,
		private readonly config: ClientConfig,
	) {
		this.policy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
		this.redact = redactor(config.secrets);
		this.keyOrigins = [...new Set([originOf(config.baseUrl), originOf(config.uploadBaseUrl)])].filter(
			(o): o is string => o !== undefined,
		);
	}

	/** What bounds reading an image answer. */
	limits(): ReceiveLimits {
		const { maxDownloadBytes, signal, itemClock } = this.config;
		return {
			maxBytes: maxDownloadBytes,
			redact: this.redact,
			signal,
			itemDeadline: itemClock?.deadline,
			itemTimeoutMs: itemClock?.timeoutMs,
		};
	}

	/** One request; its answer whatever its status, the body as it came (a stream, for `encoding: 'stream'`). */
	async send(request: Parameters<HttpCall>[0], how: How, call: Call): Promise<SentResponse> {
		if (how.authenticated) this.assertKeyOrigin(request.url, call.requestId);
		let response: SentResponse | undefined;
		let failure: unknown;
		try {
			response = await sendWithRetry(
				this.http,
				request,
				{
					timeoutMs: this.config.requestTimeoutMs,
					...how,
					itemClock: this.config.itemClock,
					scheduler: this.config.scheduler,
				},
				this.policy,
				this.config.signal,
			);
		} catch (error) {
			failure = error;
		}
		if (response) return response;
		throw this.connectionFailure(failure, call);
	}

	/** One request whose answer is read whole: parsed, with every server text redacted. */
	async json(request: Parameters<HttpCall>[0], how: How, call: Call): Promise<HttpResponse> {
		return this.read(await this.send(request, how, call));
	}

	/** A non-streamed answer, parsed, with every server text redacted. */
	read(response: HttpResponse): HttpResponse {
		return {
			statusCode: response.statusCode,
			headers: redactDeep(response.headers, this.redact),
			body: redactDeep(parseBody(response.body), this.redact),
		};
	}

	/** A keyed request goes only to the credential's own hosts. */
	private assertKeyOrigin(url: string, requestId?: string): void {
		const origin = originOf(url);
		if (origin !== undefined && this.keyOrigins.includes(origin)) return;
		throw new SegmindFailure({ problem: 'foreignHost', origin: origin ?? url, allowed: this.keyOrigins }, { requestId });
	}

	/** What a request that got no answer means: a job that may be billed, the item's Timeout, or no connection. */
	private connectionFailure(error: unknown, call: Call): unknown {
		if (!(error instanceof TransportError)) return error;
		const { requestId, step } = call;
		// A job request that may have reached the server may have created a billed job.
		if ((step === 'submit' || step === 'run') && !error.neverSent) {
			const unproven: Unproven = error.itemDeadline
				? { after: 'timeout', awaiting: 'answer' }
				: { after: 'noAnswer', cause: error.message };
			return new SegmindFailure({ problem: 'maybeBilled', step, ...unproven }, { requestId });
		}
		if (error.itemDeadline) {
			const timeoutMs = this.config.itemClock?.timeoutMs ?? 0;
			return new SegmindFailure({ problem: 'itemTimeout', step, timeoutMs, lastTry: error.lastTry }, { requestId });
		}
		return new SegmindFailure(
			{ problem: 'unreachable', step, cause: error.message, baseUrl: this.config.baseUrl, imageHost: call.imageHost },
			{ requestId },
		);
	}
}
