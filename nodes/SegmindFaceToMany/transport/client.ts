import type { IDataObject } from 'n8n-workflow';

import { detectImageType, describeBytes } from '../helpers/image';
import { MODEL_SLUG } from '../constants';
import type { JobPayload } from '../validation';
import { isRecord, SegmindFailure, serverErrorText } from './failure';
import {
	DEFAULT_RETRY_POLICY,
	parseBody,
	sendWithRetry,
	TransportError,
	type HttpCall,
	type HttpResponse,
	type RetryMode,
	type RetryPolicy,
} from './http';
import type { RequestKind, RequestScheduler } from './scheduler';

export interface ClientConfig {
	baseUrl: string;
	uploadBaseUrl: string;
	retry?: Partial<RetryPolicy>;
	/** Per-request timeout (not the job's). */
	requestTimeoutMs: number;
	maxDownloadBytes: number;
	signal?: AbortSignal;
	/** The run's shared request budget (one per node run, shared by all items). */
	scheduler?: RequestScheduler;
}

export interface SubmittedJob {
	requestId: string;
	status: string;
	statusUrl: string;
	responseUrl: string;
}

export type JobStatus =
	| { state: 'PENDING'; status: string; metrics: IDataObject }
	| { state: 'COMPLETED'; body: Record<string, unknown>; metrics: IDataObject }
	| { state: 'FAILED'; error: string; body: Record<string, unknown>; metrics: IDataObject };

export interface JobResult {
	outputUrl: string;
	/** Content type and file name the result announced, when it carried `images[]`. */
	announcedMimeType?: string;
	announcedFileName?: string;
	seed?: number;
	metrics: IDataObject;
	body: Record<string, unknown>;
}

export interface DownloadedImage {
	bytes: Buffer;
	mimeType: string;
	extension: string;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Segmind's serverless API for the face-to-many model: the only place that speaks HTTP. */
export class SegmindClient {
	private readonly policy: RetryPolicy;

	constructor(
		private readonly http: HttpCall,
		private readonly config: ClientConfig,
	) {
		this.policy = { ...DEFAULT_RETRY_POLICY, ...config.retry };
	}

	/** The same client, cancelled by `signal` (one per item keeps listeners per signal few). */
	withSignal(signal: AbortSignal): SegmindClient {
		return new SegmindClient(this.http, { ...this.config, signal });
	}

	/**
	 * One request with the client's retry policy, signal and request budget. `authenticated` adds
	 * the API key; `retry` says when it may be re-sent; `kind` is its priority in the budget.
	 */
	private async send(
		request: Parameters<HttpCall>[0],
		how: { authenticated: boolean; retry: RetryMode; kind: RequestKind; deadline?: number; timeoutMs?: number },
	): Promise<HttpResponse> {
		const response = await sendWithRetry(
			this.http,
			request,
			{ timeoutMs: this.config.requestTimeoutMs, ...how, scheduler: this.config.scheduler },
			this.policy,
			this.config.signal,
		);
		return { ...response, body: request.encoding === 'arraybuffer' ? response.body : parseBody(response.body) };
	}

	/** A GET against the API (status, result, credits), safe to retry. */
	private async getJson(
		url: string,
		what: string,
		kind: RequestKind,
		requestId?: string,
		deadline?: number,
	): Promise<HttpResponse> {
		try {
			return await this.send({ method: 'GET', url, json: true }, { authenticated: true, retry: 'idempotent', kind, deadline });
		} catch (error) {
			throw this.transportFailure(error, what, requestId);
		}
	}

	private transportFailure(error: unknown, what: string, requestId?: string): unknown {
		if (!(error instanceof TransportError)) return error;
		return new SegmindFailure('network', `Could not reach Segmind while ${what}: ${error.message}`, {
			requestId,
			description: `Check your network and the Base URL in the Segmind credential (${this.config.baseUrl}).${
				requestId ? ` The job ${requestId} may still complete: use the Get Result operation to collect it.` : ''
			}`,
		});
	}

	/** POST /v2/face-to-many. Never re-sent once the server may have created the job. */
	async submit(payload: JobPayload): Promise<SubmittedJob> {
		let response: HttpResponse;
		try {
			response = await this.send(
				{
					method: 'POST',
					url: `${trimSlash(this.config.baseUrl)}/v2/${MODEL_SLUG}`,
					body: payload as unknown as IDataObject,
					headers: { 'Content-Type': 'application/json' },
					json: true,
				},
				{ authenticated: true, retry: 'submit', kind: 'submit' },
			);
		} catch (error) {
			if (error instanceof TransportError && !error.neverSent) {
				throw new SegmindFailure(
					'uncertainSubmit',
					`The job was sent to Segmind but no answer came back (${error.message}); a job may have been created`,
					{
						description:
							'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
					},
				);
			}
			throw this.transportFailure(error, 'submitting the job');
		}
		const { statusCode, body } = response;
		if (statusCode >= 200 && statusCode < 300) {
			if (!isRecord(body)) {
				throw new SegmindFailure('badResponse', 'Segmind accepted the job but its answer is not JSON', {
					httpCode: statusCode,
					description:
						'The node did not send the job again, to avoid paying twice. Check the Base URL in the Segmind credential points at the API.',
				});
			}
			const missing = ['request_id', 'status_url', 'response_url'].filter(
				(key) => typeof body[key] !== 'string' || !(body[key] as string).trim(),
			);
			if (missing.length) {
				throw new SegmindFailure(
					'badResponse',
					`Segmind accepted the job but its answer lacks ${missing.join(', ')}`,
					{
						httpCode: statusCode,
						requestId: typeof body.request_id === 'string' ? body.request_id : undefined,
						body,
						description: 'The node did not send the job again, to avoid paying twice.',
					},
				);
			}
			return {
				requestId: body.request_id as string,
				status: typeof body.status === 'string' ? body.status : 'QUEUED',
				statusUrl: body.status_url as string,
				responseUrl: body.response_url as string,
			};
		}
		throw this.httpFailure(response, 'submitting the job');
	}

	/** GET status_url: one look at the job (retries stop at `deadline`, epoch ms, when given). */
	async status(job: Pick<SubmittedJob, 'requestId' | 'statusUrl'>, deadline?: number): Promise<JobStatus> {
		const response = await this.getJson(job.statusUrl, 'checking the job status', 'status', job.requestId, deadline);
		return this.readJobState(response, job.requestId, 'checking the job status');
	}

	private readJobState(response: HttpResponse, requestId: string, what: string): JobStatus {
		const { statusCode, body } = response;
		const record = isRecord(body) ? body : undefined;
		const status = typeof record?.status === 'string' ? record.status.toUpperCase() : undefined;
		const metrics = isRecord(record?.metrics) ? (record.metrics as IDataObject) : {};
		// A final status in the body is final whatever the HTTP code (FAILED is served as 422).
		if (record && status === 'COMPLETED') return { state: 'COMPLETED', body: record, metrics };
		if (record && status === 'FAILED') {
			return { state: 'FAILED', error: serverErrorText(record) ?? 'no reason given', body: record, metrics };
		}
		if (statusCode === 404) {
			throw new SegmindFailure('expired', `Request ${requestId} expired or unknown`, {
				httpCode: 404,
				requestId,
				body,
				description:
					'Segmind keeps a job\'s status and result for 1 hour after it is submitted. Check the request ID, or run the image again.',
			});
		}
		if (statusCode >= 200 && statusCode < 300 && status) return { state: 'PENDING', status, metrics };
		if (statusCode >= 200 && statusCode < 300) {
			throw new SegmindFailure('badResponse', `Segmind answered ${what} without a job status`, {
				httpCode: statusCode,
				requestId,
				body,
			});
		}
		throw this.httpFailure(response, what, requestId);
	}

	/** GET response_url after COMPLETED; `statusBody` is used instead when it already has the output. */
	async result(
		job: Pick<SubmittedJob, 'requestId' | 'responseUrl'>,
		statusBody?: Record<string, unknown>,
	): Promise<JobResult> {
		if (statusBody && findOutputUrl(statusBody)) return toJobResult(statusBody, job.requestId);
		const response = await this.getJson(job.responseUrl, 'fetching the job result', 'result', job.requestId);
		const state = this.readJobState(response, job.requestId, 'fetching the job result');
		if (state.state === 'FAILED') throw jobFailed(job.requestId, state.error, state.body);
		if (state.state === 'PENDING') {
			throw new SegmindFailure('badResponse', `Segmind says job ${job.requestId} is ${state.status}, not COMPLETED`, {
				requestId: job.requestId,
			});
		}
		return toJobResult(state.body, job.requestId);
	}

	/** GET the output image; public URL, so no API key is sent. */
	async download(url: string, requestId?: string): Promise<DownloadedImage> {
		let response: HttpResponse;
		try {
			// A public link: no API key, so it does not count against the request budget.
			response = await this.send(
				{ method: 'GET', url, encoding: 'arraybuffer', json: false },
				{ authenticated: false, retry: 'idempotent', kind: 'result' },
			);
		} catch (error) {
			throw this.transportFailure(error, 'downloading the output image', requestId);
		}
		const { statusCode } = response;
		const bytes = toBuffer(response.body);
		if (statusCode === 404 || statusCode === 403 || statusCode === 410) {
			throw new SegmindFailure('download', `The output image link is expired or gone (HTTP ${statusCode})`, {
				httpCode: statusCode,
				requestId,
				description: `Output links live 7 days. URL: ${url}`,
			});
		}
		if (statusCode < 200 || statusCode >= 300) {
			throw new SegmindFailure('download', `Could not download the output image (HTTP ${statusCode})`, {
				httpCode: statusCode,
				requestId,
				description: `URL: ${url}`,
			});
		}
		return this.asImage(bytes, response, {
			tooLarge: 'The output image',
			notImage: 'The output URL did not return an image',
			notImageKind: 'download',
			requestId,
			description: `URL: ${url}`,
			sizeHint: `Raise "Max Image Size (MB)" in the node's options, or fetch it from ${url}`,
		});
	}

	/** Check downloaded bytes: within the size cap, and an image by their signature. */
	private asImage(
		bytes: Buffer,
		response: HttpResponse,
		texts: {
			tooLarge: string;
			notImage: string;
			notImageKind: 'download' | 'badResponse';
			sizeHint: string;
			requestId?: string;
			description?: string;
			httpCode?: number;
		},
	): DownloadedImage {
		const { requestId } = texts;
		if (bytes.length > this.config.maxDownloadBytes) {
			throw new SegmindFailure(
				'download',
				`${texts.tooLarge} is ${(bytes.length / 1048576).toFixed(1)} MB, over the ${(
					this.config.maxDownloadBytes / 1048576
				).toFixed(0)} MB limit`,
				{ requestId, description: texts.sizeHint },
			);
		}
		const type = detectImageType(bytes);
		if (!type) {
			const header = response.headers['content-type'];
			throw new SegmindFailure(
				texts.notImageKind,
				`${texts.notImage} (${describeBytes(bytes, Array.isArray(header) ? header[0] : header)})`,
				{ requestId, description: texts.description, httpCode: texts.httpCode },
			);
		}
		return { bytes, ...type };
	}

	/** POST an image to Segmind storage and return its public URL (for binary input). */
	async upload(bytes: Buffer, mimeType: string): Promise<string> {
		let response: HttpResponse;
		try {
			response = await this.send(
				{
					method: 'POST',
					url: `${trimSlash(this.config.uploadBaseUrl)}/upload-asset`,
					body: { data_urls: [`data:${mimeType};base64,${bytes.toString('base64')}`] },
					headers: { 'Content-Type': 'application/json' },
					json: true,
				},
				// An upload creates no job and costs nothing, so it is safe to retry.
				{ authenticated: true, retry: 'idempotent', kind: 'long' },
			);
		} catch (error) {
			throw this.transportFailure(error, 'uploading the input image');
		}
		const { statusCode, body } = response;
		if (statusCode < 200 || statusCode >= 300) throw this.httpFailure(response, 'uploading the input image');
		const record = isRecord(body) ? body : {};
		const urls = [record.file_urls, record.urls].find(Array.isArray) as unknown[] | undefined;
		const url = urls?.find((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
		if (!url) {
			throw new SegmindFailure('badResponse', 'Segmind\'s asset upload answered without a file URL (file_urls or urls)', {
				httpCode: statusCode,
				body,
			});
		}
		return url;
	}

	/** GET /v1/get-user-credits (free). */
	async credits(): Promise<IDataObject> {
		const response = await this.getJson(`${trimSlash(this.config.baseUrl)}/v1/get-user-credits`, 'reading the credit balance', 'other');
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw this.httpFailure(response, 'reading the credit balance');
		}
		if (!isRecord(response.body)) {
			throw new SegmindFailure('badResponse', 'Segmind answered the credit balance request without JSON', {
				httpCode: response.statusCode,
			});
		}
		return response.body as IDataObject;
	}

	/**
	 * POST /v1/face-to-many: one request answered with the image bytes (maintenance-mode API).
	 * Like submit, it is never re-sent once the server may have started the job.
	 */
	async runSync(payload: JobPayload, timeoutMs: number): Promise<{ image: DownloadedImage; headers: HttpResponse['headers'] }> {
		let response: HttpResponse;
		try {
			// One request runs the whole job, so it gets the job's timeout, not the per-request one.
			response = await this.send(
				{
					method: 'POST',
					url: `${trimSlash(this.config.baseUrl)}/v1/${MODEL_SLUG}`,
					body: payload as unknown as IDataObject,
					headers: { 'Content-Type': 'application/json' },
					encoding: 'arraybuffer',
					json: false,
				},
				{ authenticated: true, retry: 'submit', kind: 'long', timeoutMs },
			);
		} catch (error) {
			if (error instanceof TransportError && !error.neverSent) {
				throw new SegmindFailure(
					'uncertainSubmit',
					`The job was sent to Segmind but no image came back (${error.message}); it may have been run and billed`,
					{ description: 'The node did not send it again, to avoid paying twice. Check your Segmind console before re-running this item.' },
				);
			}
			throw this.transportFailure(error, 'running the job');
		}
		const bytes = toBuffer(response.body);
		if (response.statusCode < 200 || response.statusCode >= 300) {
			throw this.httpFailure({ ...response, body: parseBody(bytes) }, 'running the job');
		}
		const image = this.asImage(bytes, response, {
			tooLarge: 'The image',
			notImage: "Segmind's v1 answer is not an image",
			notImageKind: 'badResponse',
			sizeHint: 'Raise "Max Image Size (MB)" in the node\'s options.',
			httpCode: response.statusCode,
		});
		return { image, headers: response.headers };
	}

	/** Turn a non-2xx API answer into a failure a user can act on. */
	private httpFailure(response: HttpResponse, what: string, requestId?: string): SegmindFailure {
		const { statusCode, body } = response;
		const serverText = serverErrorText(body);
		const said = serverText ? `Segmind says: "${serverText}"` : '';
		const details = { httpCode: statusCode, requestId, body };
		const join = (...parts: string[]) => parts.filter(Boolean).join(' ');
		switch (true) {
			case statusCode === 401:
				return new SegmindFailure('auth', 'Segmind rejected the API key (401): it is missing or invalid', {
					...details,
					description: join('Check the API key in your Segmind API credential; keys are on the API Keys page of your Segmind console.', said),
				});
			case statusCode === 403:
				return new SegmindFailure('auth', 'Segmind refused access to this model for your account (403)', {
					...details,
					description: join('Check your Segmind plan and API key permissions.', said),
				});
			case statusCode === 406:
				return new SegmindFailure('credits', 'Insufficient Segmind credits to run this job (406)', {
					...details,
					description: join(said, 'Top up your credits in the Segmind console, then run the workflow again.'),
				});
			case statusCode === 429:
				return new SegmindFailure('rateLimited', `Segmind rate limit reached while ${what} (429), still after ${this.policy.maxRetries} retries`, {
					...details,
					description: join(
						'Free plans allow 5 requests a minute, Pro 50. Set "Max Requests per Minute" to your plan limit, set "Max Jobs in Flight", or try later.',
						said,
					),
				});
			case statusCode >= 500:
				return new SegmindFailure('server', `Segmind had a server error while ${what} (HTTP ${statusCode}), still after ${this.policy.maxRetries} retries`, {
					...details,
					description: join(
						said,
						requestId ? `The job ${requestId} may still complete: use the Get Result operation to collect it.` : 'Try again later.',
					),
				});
			case statusCode === 400 || statusCode === 410 || statusCode === 422:
				return new SegmindFailure('rejected', `Segmind rejected the request while ${what} (HTTP ${statusCode})${serverText ? `: ${serverText}` : ''}`, {
					...details,
					description: statusCode === 410 ? 'Segmind says this model is retired.' : 'Check the node\'s parameters.',
				});
			default:
				return new SegmindFailure('http', `Segmind answered HTTP ${statusCode} while ${what}${serverText ? `: ${serverText}` : ''}`, details);
		}
	}
}

export function jobFailed(requestId: string, error: string, body?: unknown): SegmindFailure {
	return new SegmindFailure('failed', `Segmind job ${requestId} failed: ${error}`, {
		httpCode: 422,
		requestId,
		body,
		description:
			'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.',
	});
}

function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body));
}

/** The output URL of a result body: `output` (string or array) or `images[0].url`. */
export function findOutputUrl(body: Record<string, unknown>): string | undefined {
	const isUrl = (v: unknown): v is string => typeof v === 'string' && /^https?:\/\//i.test(v.trim());
	const { output, images } = body;
	if (isUrl(output)) return output.trim();
	if (Array.isArray(output)) {
		const first = output.find(isUrl);
		if (first) return first.trim();
		const fromObject = output.map((o) => (isRecord(o) ? o.url : undefined)).find(isUrl);
		if (fromObject) return fromObject.trim();
	}
	if (isRecord(output) && isUrl(output.url)) return output.url.trim();
	if (Array.isArray(images)) {
		const first = images.map((i) => (isRecord(i) ? i.url : i)).find(isUrl);
		if (first) return first.trim();
	}
	return undefined;
}

export function toJobResult(body: Record<string, unknown>, requestId: string): JobResult {
	const outputUrl = findOutputUrl(body);
	if (!outputUrl) {
		throw new SegmindFailure('badResponse', `Segmind's result for job ${requestId} has no output image URL`, {
			requestId,
			body,
			description: 'Expected "output" (a URL or a list of URLs) or "images[0].url" in the result.',
		});
	}
	const image = Array.isArray(body.images) && isRecord(body.images[0]) ? body.images[0] : undefined;
	const seed = typeof body.seed === 'number' ? body.seed : undefined;
	return {
		outputUrl,
		announcedMimeType: typeof image?.content_type === 'string' ? image.content_type : undefined,
		announcedFileName: typeof image?.file_name === 'string' ? image.file_name : undefined,
		seed,
		metrics: isRecord(body.metrics) ? (body.metrics as IDataObject) : {},
		body,
	};
}
