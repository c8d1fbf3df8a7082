import type { IDataObject } from 'n8n-workflow';

import { MODEL_SLUG } from '../constants';
import { SegmindFailure } from '../errors/failures';
import { trimSlash } from '../helpers/values';
import { ItemClock } from './deadline';
import { discardBody, type HttpCall } from './http';
import { readSmall, receiveImage, type ImageStore, type StoredImage } from './imageAnswer';
import {
	findOutputUrl,
	httpFailure,
	isReadableJobAnswer,
	jobFailed,
	readCreditsAnswer,
	readJobState,
	readSubmitAnswer,
	readUploadAnswer,
	refusedJob,
	toJobResult,
	type JobResult,
	type JobStatus,
	type SubmittedJob,
} from './responses';
import { Sender, type ClientConfig } from './sender';
import { header, hostOf, isSuccess, originOf, type JobPayload } from './wire';

export type { JobResult, JobStatus, SubmittedJob } from './responses';
export type { ImageInfo, ImageStore, StoredImage } from './imageAnswer';
export type { ClientConfig } from './sender';

const JSON_BODY = { 'Content-Type': 'application/json' };

/**
 * Segmind's serverless API for the face-to-many model: one method per endpoint, the only place
 * that knows Segmind's URLs. Each sends through the Sender and reads the answer with responses.ts;
 * what fails is thrown as a SegmindFailure of facts.
 */
export class SegmindClient {
	private readonly sender: Sender;

	constructor(
		private readonly http: HttpCall,
		private readonly config: ClientConfig,
	) {
		this.sender = new Sender(http, config);
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

	/** Milliseconds the item has left (undefined: no item deadline). */
	remainingMs(): number | undefined {
		const deadline = this.config.itemClock?.deadline;
		return deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
	}

	private get maxRetries(): number {
		return this.sender.policy.maxRetries;
	}

	/** POST /v2/face-to-many. Re-sent only when no job can exist (a 429, or nothing was sent). */
	async submit(payload: JobPayload): Promise<SubmittedJob> {
		const response = await this.sender.json(
			{ method: 'POST', url: `${trimSlash(this.config.baseUrl)}/v2/${MODEL_SLUG}`, body: payload, headers: JSON_BODY, json: true },
			{ authenticated: true, retry: 'submit', kind: 'submit' },
			{ step: 'submit' },
		);
		if (isSuccess(response.statusCode)) return readSubmitAnswer(response, originOf(this.config.baseUrl));
		throw refusedJob(response, 'submit', this.maxRetries);
	}

	/** GET status_url: one look at the job (retries stop at `deadline`, epoch ms, when given). */
	async status(job: Pick<SubmittedJob, 'requestId' | 'statusUrl'>, deadline?: number): Promise<JobStatus> {
		return await this.jobAnswer(job.statusUrl, job.requestId, 'status', deadline);
	}

	/** GET response_url after COMPLETED; `statusBody` is used instead when it already has the output. */
	async result(
		job: Pick<SubmittedJob, 'requestId' | 'responseUrl'>,
		statusBody?: Record<string, unknown>,
	): Promise<JobResult> {
		const { requestId } = job;
		if (statusBody && findOutputUrl(statusBody)) return toJobResult(statusBody, requestId);
		const state = await this.jobAnswer(job.responseUrl, requestId, 'result');
		if (state.state === 'FAILED') throw jobFailed(requestId, state.error, state.body);
		if (state.state === 'PENDING') throw new SegmindFailure({ problem: 'notCompleted', jobStatus: state.status }, { requestId });
		return toJobResult(state.body, requestId);
	}

	/** A GET of a job's status or result; an unreadable 2xx answer is retried like a 5xx. */
	private async jobAnswer(url: string, requestId: string, step: 'status' | 'result', deadline?: number): Promise<JobStatus> {
		const response = await this.sender.json(
			{ method: 'GET', url, json: true },
			{ authenticated: true, retry: 'idempotent', kind: step, deadline, usable: (r) => isReadableJobAnswer(this.sender.read(r)) },
			{ step, requestId },
		);
		return readJobState(response, requestId, step, this.maxRetries);
	}

	/**
	 * GET the output image (a public URL: no API key, redirects followed) and hand it, streamed,
	 * to `store`. Over "Max Image Size" it fails before or while reading; an image that arrives
	 * incomplete is fetched once more, then fails naming the job and the image host.
	 */
	async downloadImage<T>(url: string, requestId: string | undefined, store: ImageStore<T>): Promise<StoredImage<T>> {
		const host = hostOf(url);
		let detail = '';
		for (let attempt = 0; attempt < 2; attempt++) {
			const outcome = await this.downloadOnce(url, requestId, host, store);
			if (!('problem' in outcome)) return outcome;
			detail = outcome.problem;
		}
		throw new SegmindFailure({ problem: 'imageIncomplete', host, detail }, { requestId });
	}

	private async downloadOnce<T>(url: string, requestId: string | undefined, host: string, store: ImageStore<T>) {
		const response = await this.sender.send(
			{ method: 'GET', url, encoding: 'stream', json: false },
			// A public link: no API key, so it does not count against the request budget.
			{ authenticated: false, retry: 'idempotent', kind: 'result' },
			{ step: 'download', requestId, imageHost: host },
		);
		const { statusCode } = response;
		if (!isSuccess(statusCode)) {
			response.release();
			discardBody(response.body);
			throw new SegmindFailure({ problem: 'imageLinkFailed', status: statusCode, host }, { requestId });
		}
		return await receiveImage(this.sender.limits(), response, store, { host, requestId });
	}

	/** POST an image to Segmind storage and return its public URL (for binary input). */
	async upload(bytes: Buffer, mimeType: string): Promise<string> {
		const response = await this.sender.json(
			{
				method: 'POST',
				url: `${trimSlash(this.config.uploadBaseUrl)}/upload-asset`,
				body: { data_urls: [`data:${mimeType};base64,${bytes.toString('base64')}`] },
				headers: JSON_BODY,
				json: true,
			},
			// An upload creates no job and costs nothing, so it is safe to retry.
			{ authenticated: true, retry: 'idempotent', kind: 'long' },
			{ step: 'upload' },
		);
		if (!isSuccess(response.statusCode)) throw httpFailure(response, 'upload', this.maxRetries);
		return readUploadAnswer(response);
	}

	/** GET /v1/get-user-credits (free). */
	async credits(): Promise<IDataObject> {
		const response = await this.sender.json(
			{ method: 'GET', url: `${trimSlash(this.config.baseUrl)}/v1/get-user-credits`, json: true },
			{ authenticated: true, retry: 'idempotent', kind: 'other' },
			{ step: 'credits' },
		);
		if (!isSuccess(response.statusCode)) throw httpFailure(response, 'credits', this.maxRetries);
		return readCreditsAnswer(response);
	}

	/**
	 * POST /v1/face-to-many: one request answered with the image bytes (maintenance-mode API),
	 * streamed to `store`. Like submit, it is re-sent only when no job can exist.
	 */
	async runSync<T>(payload: JobPayload, timeoutMs: number, store: ImageStore<T>): Promise<StoredImage<T>> {
		// One request runs the whole job, so it gets the job's timeout, not the per-request one.
		const response = await this.sender.send(
			{
				method: 'POST',
				url: `${trimSlash(this.config.baseUrl)}/v1/${MODEL_SLUG}`,
				body: payload,
				headers: JSON_BODY,
				encoding: 'stream',
				json: false,
			},
			{ authenticated: true, retry: 'submit', kind: 'long', timeoutMs },
			{ step: 'run' },
		);
		if (!isSuccess(response.statusCode)) {
			const answer = this.sender.read({ ...response, body: await readSmall(response) });
			throw refusedJob(answer, 'run', this.maxRetries);
		}
		const requestId = header(response.headers, 'x-request-id');
		const image = await receiveImage(this.sender.limits(), response, store, { requestId, httpCode: response.statusCode });
		if ('problem' in image) {
			throw new SegmindFailure({ problem: 'maybeBilled', step: 'run', after: 'incompleteImage', detail: image.problem }, { requestId });
		}
		return image;
	}
}
