import type { IDataObject } from 'n8n-workflow';

import { MODEL_SLUG } from '../constants';
import { isRecord, redactDeep, redactor, SegmindFailure } from '../errors/failures';
import {
	downloadTexts,
	foreignUrlText,
	itemTimeoutText,
	networkText,
	uncertainSubmitText,
} from '../errors/messages';
import type { JobPayload } from '../actions/jobInput';
import { trimSlash } from '../helpers/values';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';
import { discardBody, parseBody, sendWithRetry, type HttpCall, type HttpResponse, type RetryMode, type SentResponse } from './http';
import { ItemClock } from './deadline';
import { TransportError } from './transportError';
import { readSmall, receiveImage, type ImageStore, type ReceiveLimits, type StoredImage } from './imageAnswer';
import {
	findOutputUrl,
	header,
	httpFailure,
	isReadableJobAnswer,
	isSuccess,
	jobFailed,
	originOf,
	readJobState,
	readSubmitAnswer,
	toJobResult,
	type JobResult,
	type JobStatus,
	type SubmittedJob,
} from './responses';
import type { RequestKind, RequestScheduler } from './scheduler';

export type { JobResult, JobStatus, SubmittedJob } from './responses';
export type { ImageInfo, ImageStore, StoredImage } from './imageAnswer';

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
	/** The item's Timeout, counted from its first request; set by forItem(). */
	itemClock?: ItemClock;
}

/** What a request is for, to word its failures. */
interface Call {
	what: string;
	requestId?: string;
	/** A POST that may create a billed job: never re-sent once it may have reached the server. */
	billed?: boolean;
	/** The public host of an image download (its errors name it, not the Base URL). */
	imageHost?: string;
}

const hostOf = (url: string) => {
	try {
		return new URL(url).host;
	} catch {
		return url;
	}
};

/** Segmind's serverless API for the face-to-many model: the only place that speaks HTTP. */
export class SegmindClient {
	private readonly policy: RetryPolicy;

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

	/**
	 * The client for one item: cancelled by `signal`, and bounded by the item's Timeout: from the
	 * item's first request on, every request, retry wait and wait for the request budget ends
	 * `timeoutMs` after that first request at the latest (see ItemClock).
	 */
	forItem(item: { signal: AbortSignal; timeoutMs: number }): SegmindClient {
		return new SegmindClient(this.http, {
			...this.config,
			signal: item.signal,
			itemClock: new ItemClock(item.timeoutMs),
		});
	}

	/** What bounds reading an image answer. */
	private limits(): ReceiveLimits {
		const { maxDownloadBytes, signal, itemClock } = this.config;
		return {
			maxBytes: maxDownloadBytes,
			redact: this.redact,
			signal,
			itemDeadline: itemClock?.deadline,
			itemTimeoutMs: itemClock?.timeoutMs,
		};
	}

	/** Milliseconds the item has left (undefined: no item deadline). */
	remainingMs(): number | undefined {
		const deadline = this.config.itemClock?.deadline;
		return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
	}

	/** A keyed request goes only to the credential's own hosts. */
	private assertKeyOrigin(url: string, requestId?: string): void {
		const origin = originOf(url);
		if (origin !== undefined && this.keyOrigins.includes(origin)) return;
		const text = foreignUrlText(url, this.keyOrigins, requestId);
		throw new SegmindFailure('badResponse', text.message, { requestId, description: text.description });
	}

	/**
	 * One request with the client's retry policy, signal, deadlines and request budget.
	 * `authenticated` adds the API key (and forbids following redirects); `retry` says when it
	 * may be re-sent; `kind` is its priority in the budget.
	 */
	private async send(
		request: Parameters<HttpCall>[0],
		how: {
			authenticated: boolean;
			retry: RetryMode;
			kind: RequestKind;
			deadline?: number;
			timeoutMs?: number;
			usable?: (response: HttpResponse) => boolean;
		},
		call: Call,
	): Promise<SentResponse> {
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
		throw this.transportFailure(failure, call);
	}

	/** A non-streamed answer, parsed, with every server text redacted. */
	private read(response: HttpResponse): HttpResponse {
		return {
			statusCode: response.statusCode,
			headers: redactDeep(response.headers, this.redact),
			body: redactDeep(parseBody(response.body), this.redact),
		};
	}

	private transportFailure(error: unknown, call: Call): unknown {
		if (!(error instanceof TransportError)) return error;
		const { requestId } = call;
		const sent = !error.neverSent;
		if (call.billed && sent) {
			const text = uncertainSubmitText(
				error.itemDeadline ? "the item's Timeout ran out before the answer came" : `no answer came back (${error.message})`,
			);
			return new SegmindFailure('uncertainSubmit', text.message, { description: text.description });
		}
		if (error.itemDeadline) {
			const text = itemTimeoutText(call.what, this.config.itemClock?.timeoutMs ?? 0, requestId, error.lastTry);
			return new SegmindFailure('timeout', text.message, { requestId, description: text.description, lastTry: error.lastTry });
		}
		const text = networkText(call.what, error.message, { baseUrl: this.config.baseUrl, imageHost: call.imageHost }, requestId);
		return new SegmindFailure('network', text.message, { requestId, description: text.description });
	}

	/** A job request (submit, v1 run) that was answered with an error. A 5xx may still have billed a job. */
	private refusedJob(response: HttpResponse, what: string): SegmindFailure {
		const { statusCode, body } = response;
		if (statusCode >= 500) {
			const fromBody = isRecord(body) && typeof body.request_id === 'string' ? body.request_id : undefined;
			const requestId = fromBody ?? header(response.headers, 'x-request-id');
			const text = uncertainSubmitText(`Segmind answered HTTP ${statusCode}`, requestId);
			return new SegmindFailure('server', text.message, { httpCode: statusCode, requestId, body, description: text.description });
		}
		return httpFailure(response, what, this.policy.maxRetries);
	}

	/** POST /v2/face-to-many. Re-sent only when no job can exist (a 429, or nothing was sent). */
	async submit(payload: JobPayload): Promise<SubmittedJob> {
		const call: Call = { what: 'submitting the job', billed: true };
		const response = this.read(
			await this.send(
				{
					method: 'POST',
					url: `${trimSlash(this.config.baseUrl)}/v2/${MODEL_SLUG}`,
					body: payload as unknown as IDataObject,
					headers: { 'Content-Type': 'application/json' },
					json: true,
				},
				{ authenticated: true, retry: 'submit', kind: 'submit' },
				call,
			),
		);
		if (isSuccess(response.statusCode)) return readSubmitAnswer(response, originOf(this.config.baseUrl));
		throw this.refusedJob(response, call.what);
	}

	/** A GET of a job's status or result; an unreadable 2xx answer is retried like a 5xx. */
	private async getJobAnswer(url: string, call: Call & { requestId: string }, kind: RequestKind, deadline?: number) {
		const response = await this.send(
			{ method: 'GET', url, json: true },
			{
				authenticated: true,
				retry: 'idempotent',
				kind,
				deadline,
				usable: (r) => isReadableJobAnswer({ ...r, body: parseBody(r.body) }),
			},
			call,
		);
		return readJobState(this.read(response), call.requestId, call.what, this.policy.maxRetries);
	}

	/** GET status_url: one look at the job (retries stop at `deadline`, epoch ms, when given). */
	async status(job: Pick<SubmittedJob, 'requestId' | 'statusUrl'>, deadline?: number): Promise<JobStatus> {
		return await this.getJobAnswer(job.statusUrl, { what: 'checking the job status', requestId: job.requestId }, 'status', deadline);
	}

	/** GET response_url after COMPLETED; `statusBody` is used instead when it already has the output. */
	async result(
		job: Pick<SubmittedJob, 'requestId' | 'responseUrl'>,
		statusBody?: Record<string, unknown>,
	): Promise<JobResult> {
		if (statusBody && findOutputUrl(statusBody)) return toJobResult(statusBody, job.requestId);
		const state = await this.getJobAnswer(job.responseUrl, { what: 'fetching the job result', requestId: job.requestId }, 'result');
		if (state.state === 'FAILED') throw jobFailed(job.requestId, state.error, state.body);
		if (state.state === 'PENDING') {
			throw new SegmindFailure('badResponse', `Segmind says job ${job.requestId} is ${state.status}, not COMPLETED`, {
				requestId: job.requestId,
			});
		}
		return toJobResult(state.body, job.requestId);
	}

	/**
	 * GET the output image (a public URL: no API key, redirects followed) and hand it, streamed,
	 * to `store`. Over "Max Image Size" it fails before or while reading; an image that arrives
	 * incomplete is fetched once more, then fails naming the job and the image host.
	 */
	async downloadImage<T>(url: string, requestId: string | undefined, store: ImageStore<T>): Promise<StoredImage<T>> {
		const host = hostOf(url);
		let problem = '';
		for (let attempt = 0; attempt < 2; attempt++) {
			const outcome = await this.downloadOnce(url, requestId, host, store);
			if (!('problem' in outcome)) return outcome;
			problem = outcome.problem;
		}
		const text = downloadTexts.truncated('The output image', problem, host, requestId);
		throw new SegmindFailure('download', text.message, { requestId, description: text.description });
	}

	private async downloadOnce<T>(url: string, requestId: string | undefined, host: string, store: ImageStore<T>) {
		const response = await this.send(
			{ method: 'GET', url, encoding: 'stream', json: false },
			// A public link: no API key, so it does not count against the request budget.
			{ authenticated: false, retry: 'idempotent', kind: 'result' },
			{ what: 'downloading the output image', requestId, imageHost: host },
		);
		const { statusCode } = response;
		if (!isSuccess(statusCode)) {
			response.release();
			discardBody(response.body);
			const text =
				statusCode === 404 || statusCode === 403 || statusCode === 410
					? downloadTexts.gone(statusCode, host)
					: downloadTexts.failed(statusCode, host);
			throw new SegmindFailure('download', text.message, {
				httpCode: statusCode,
				requestId,
				description: text.description || undefined,
			});
		}
		return await receiveImage(this.limits(), response, store, {
			label: 'The output image',
			notImage: 'The output URL did not return an image',
			notImageKind: 'download',
			sizeHint: downloadTexts.sizeHint(host),
			requestId,
		});
	}

	/** POST an image to Segmind storage and return its public URL (for binary input). */
	async upload(bytes: Buffer, mimeType: string): Promise<string> {
		const what = 'uploading the input image';
		const response = this.read(
			await this.send(
				{
					method: 'POST',
					url: `${trimSlash(this.config.uploadBaseUrl)}/upload-asset`,
					body: { data_urls: [`data:${mimeType};base64,${bytes.toString('base64')}`] },
					headers: { 'Content-Type': 'application/json' },
					json: true,
				},
				// An upload creates no job and costs nothing, so it is safe to retry.
				{ authenticated: true, retry: 'idempotent', kind: 'long' },
				{ what },
			),
		);
		const { statusCode, body } = response;
		if (!isSuccess(statusCode)) throw httpFailure(response, what, this.policy.maxRetries);
		const record = isRecord(body) ? body : {};
		const urls = [record.file_urls, record.urls].find(Array.isArray) as unknown[] | undefined;
		const url = urls?.find((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
		if (!url) {
			throw new SegmindFailure('badResponse', "Segmind's asset upload answered without a file URL (file_urls or urls)", {
				httpCode: statusCode,
				body,
			});
		}
		return url;
	}

	/** GET /v1/get-user-credits (free). */
	async credits(): Promise<IDataObject> {
		const what = 'reading the credit balance';
		const response = this.read(
			await this.send(
				{ method: 'GET', url: `${trimSlash(this.config.baseUrl)}/v1/get-user-credits`, json: true },
				{ authenticated: true, retry: 'idempotent', kind: 'other' },
				{ what },
			),
		);
		if (!isSuccess(response.statusCode)) throw httpFailure(response, what, this.policy.maxRetries);
		if (!isRecord(response.body)) {
			throw new SegmindFailure('badResponse', 'Segmind answered the credit balance request without JSON', {
				httpCode: response.statusCode,
			});
		}
		return response.body as IDataObject;
	}

	/**
	 * POST /v1/face-to-many: one request answered with the image bytes (maintenance-mode API),
	 * streamed to `store`. Like submit, it is re-sent only when no job can exist.
	 */
	async runSync<T>(payload: JobPayload, timeoutMs: number, store: ImageStore<T>): Promise<StoredImage<T>> {
		const call: Call = { what: 'running the job', billed: true };
		// One request runs the whole job, so it gets the job's timeout, not the per-request one.
		const response = await this.send(
			{
				method: 'POST',
				url: `${trimSlash(this.config.baseUrl)}/v1/${MODEL_SLUG}`,
				body: payload as unknown as IDataObject,
				headers: { 'Content-Type': 'application/json' },
				encoding: 'stream',
				json: false,
			},
			{ authenticated: true, retry: 'submit', kind: 'long', timeoutMs },
			call,
		);
		if (!isSuccess(response.statusCode)) {
			const answer = this.read({ ...response, body: await readSmall(response) });
			throw this.refusedJob(answer, call.what);
		}
		const requestId = header(response.headers, 'x-request-id');
		const image = await receiveImage(this.limits(), response, store, {
			label: 'The image',
			notImage: "Segmind's v1 answer is not an image",
			notImageKind: 'badResponse',
			sizeHint: downloadTexts.sizeHint(),
			httpCode: response.statusCode,
			requestId,
			billed: true,
		});
		if ('problem' in image) {
			const text = uncertainSubmitText(`its image arrived incomplete (${image.problem})`, requestId);
			throw new SegmindFailure('badResponse', text.message, { requestId, description: text.description });
		}
		return image;
	}
}
