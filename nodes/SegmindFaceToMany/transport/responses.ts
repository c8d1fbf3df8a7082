/**
 * Reading Segmind's answers (already parsed and redacted): submit handles, job states, results,
 * uploads, the balance, and non-2xx answers. What cannot be used becomes a SegmindFailure of
 * facts; the words are errors/messages.ts's.
 */
import type { IDataObject } from 'n8n-workflow';

import { isRecord, SegmindFailure, serverErrorText, type Step } from '../errors/failures';
import { header, isSuccess, originOf, type HttpResponse } from './wire';

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
	seed?: number;
	metrics: IDataObject;
	body: Record<string, unknown>;
}

/** A non-2xx API answer, after `maxRetries` allowed retries. */
export function httpFailure(response: HttpResponse, step: Step, maxRetries: number, requestId?: string): SegmindFailure {
	const { statusCode, body } = response;
	return new SegmindFailure({ problem: 'httpError', step, status: statusCode, said: serverErrorText(body), maxRetries }, { requestId, body });
}

/**
 * A job request (submit, v1 run) that was answered with an error. A 5xx may still have created
 * (and billed) a job: it is said so, with the request ID when Segmind gave one.
 */
export function refusedJob(response: HttpResponse, step: 'submit' | 'run', maxRetries: number): SegmindFailure {
	const { statusCode, body } = response;
	if (statusCode < 500) return httpFailure(response, step, maxRetries);
	const fromBody = isRecord(body) && typeof body.request_id === 'string' ? body.request_id : undefined;
	return new SegmindFailure({ problem: 'maybeBilled', step, after: 'serverError', status: statusCode }, { requestId: fromBody ?? header(response.headers, 'x-request-id'), body });
}

/**
 * The job a 2xx submit answer describes. Its status and result URLs must be on the API host of
 * the credential: they are polled with the API key.
 */
export function readSubmitAnswer(response: HttpResponse, apiOrigin: string | undefined): SubmittedJob {
	const { statusCode, body } = response;
	if (!isRecord(body)) throw new SegmindFailure({ problem: 'badSubmitAnswer' }, { httpCode: statusCode });
	const requestId = typeof body.request_id === 'string' && body.request_id.trim() ? body.request_id : undefined;
	const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '');
	const missing = ['request_id', 'status_url', 'response_url'].filter((key) => !text(key));
	if (missing.length) {
		throw new SegmindFailure({ problem: 'badSubmitAnswer', missing }, { httpCode: statusCode, requestId, body });
	}
	const statusUrl = text('status_url');
	const responseUrl = text('response_url');
	const foreign = [statusUrl, responseUrl].find((url) => originOf(url) !== apiOrigin);
	if (foreign !== undefined) {
		throw new SegmindFailure({ problem: 'foreignHost', origin: originOf(foreign) ?? foreign, allowed: apiOrigin ? [apiOrigin] : [] }, { requestId });
	}
	return {
		requestId: requestId as string,
		status: typeof body.status === 'string' ? body.status : 'QUEUED',
		statusUrl,
		responseUrl,
	};
}

/** True when a 2xx status/result answer can be read (JSON with a status or an output). */
export function isReadableJobAnswer(response: HttpResponse): boolean {
	const { body } = response;
	return isRecord(body) && (typeof body.status === 'string' || findOutputUrl(body) !== undefined);
}

/** The state of a job from a status or result answer; throws for answers that are no state. */
export function readJobState(response: HttpResponse, requestId: string, step: Step, maxRetries: number): JobStatus {
	const { statusCode, body } = response;
	const record = isRecord(body) ? body : undefined;
	const status = typeof record?.status === 'string' ? record.status.toUpperCase() : undefined;
	const metrics = isRecord(record?.metrics) ? (record.metrics as IDataObject) : {};
	// A final status in the body is final whatever the HTTP code (FAILED is served as 422).
	if (record && status === 'COMPLETED') return { state: 'COMPLETED', body: record, metrics };
	if (record && status === 'FAILED') {
		return { state: 'FAILED', error: serverErrorText(record) ?? 'no reason given', body: record, metrics };
	}
	if (statusCode === 404) throw new SegmindFailure({ problem: 'expired' }, { httpCode: 404, requestId, body });
	if (isSuccess(statusCode) && status) return { state: 'PENDING', status, metrics };
	if (isSuccess(statusCode)) {
		throw new SegmindFailure({ problem: 'unreadableJobAnswer', step, notJson: !record }, { httpCode: statusCode, requestId, body });
	}
	throw httpFailure(response, step, maxRetries, requestId);
}

/** A job Segmind reports FAILED, with its reason (the model's exception text, often). */
export function jobFailed(requestId: string, reason: string, body?: unknown): SegmindFailure {
	return new SegmindFailure({ problem: 'jobFailed', reason }, { httpCode: 422, requestId, body });
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
	if (!outputUrl) throw new SegmindFailure({ problem: 'noOutputUrl' }, { requestId, body });
	return {
		outputUrl,
		seed: typeof body.seed === 'number' ? body.seed : undefined,
		metrics: isRecord(body.metrics) ? (body.metrics as IDataObject) : {},
		body,
	};
}

/** The public URL of an uploaded asset (`file_urls` or `urls`, the first http(s) one). */
export function readUploadAnswer(response: HttpResponse): string {
	const { statusCode, body } = response;
	const record = isRecord(body) ? body : {};
	const urls = [record.file_urls, record.urls].find(Array.isArray) as unknown[] | undefined;
	const url = urls?.find((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
	if (!url) throw new SegmindFailure({ problem: 'noUploadUrl' }, { httpCode: statusCode, body });
	return url;
}

/** The credit balance answer, as Segmind gave it (a JSON object). */
export function readCreditsAnswer(response: HttpResponse): IDataObject {
	const { statusCode, body } = response;
	if (!isRecord(body)) throw new SegmindFailure({ problem: 'creditsNotJson' }, { httpCode: statusCode });
	return body as IDataObject;
}
