/** Reading Segmind's answers: submit handles, job states, results, and non-2xx answers. */
import type { IDataObject } from 'n8n-workflow';

import { isRecord, SegmindFailure, serverErrorText } from '../errors/failures';
import { foreignUrlText, httpFailureText, jobFailedText, uncertainSubmitText, unreadableJobAnswerText } from '../errors/messages';
import type { HttpResponse } from './http';

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

export const isSuccess = (statusCode: number) => statusCode >= 200 && statusCode < 300;

/** The origin of a URL, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** A header's first value. */
export function header(headers: HttpResponse['headers'], name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

export function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body));
}

/** Turn a non-2xx API answer into a failure a user can act on (the body is already redacted). */
export function httpFailure(response: HttpResponse, what: string, maxRetries: number, requestId?: string): SegmindFailure {
	const { statusCode, body } = response;
	const text = httpFailureText(statusCode, what, { said: serverErrorText(body), requestId, maxRetries });
	return new SegmindFailure(text.kind, text.message, {
		httpCode: statusCode,
		requestId,
		body,
		description: text.description || undefined,
	});
}

/**
 * The job a 2xx submit answer describes. Its status and result URLs must be on the API host of
 * the credential: they are polled with the API key.
 */
export function readSubmitAnswer(response: HttpResponse, apiOrigin: string | undefined): SubmittedJob {
	const { statusCode, body } = response;
	if (!isRecord(body)) {
		const text = uncertainSubmitText('its answer is not JSON');
		throw new SegmindFailure('badResponse', 'Segmind accepted the job but its answer is not JSON', {
			httpCode: statusCode,
			description: `${text.description} Check the Base URL in the Segmind credential points at the API.`,
		});
	}
	const requestId = typeof body.request_id === 'string' && body.request_id.trim() ? body.request_id : undefined;
	const missing = ['request_id', 'status_url', 'response_url'].filter(
		(key) => typeof body[key] !== 'string' || !(body[key] as string).trim(),
	);
	if (missing.length) {
		throw new SegmindFailure('badResponse', `Segmind accepted the job but its answer lacks ${missing.join(', ')}`, {
			httpCode: statusCode,
			requestId,
			body,
			description: uncertainSubmitText('its answer is incomplete', requestId).description,
		});
	}
	const statusUrl = (body.status_url as string).trim();
	const responseUrl = (body.response_url as string).trim();
	const foreign = [statusUrl, responseUrl].find((url) => originOf(url) !== apiOrigin);
	if (foreign !== undefined) {
		const text = foreignUrlText(foreign, apiOrigin ? [apiOrigin] : [], requestId);
		throw new SegmindFailure('badResponse', text.message, { requestId, description: text.description });
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
export function readJobState(response: HttpResponse, requestId: string, what: string, maxRetries: number): JobStatus {
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
				"Segmind keeps a job's status and result for 1 hour after it is submitted. Check the request ID, or run the image again.",
		});
	}
	if (isSuccess(statusCode) && status) return { state: 'PENDING', status, metrics };
	if (isSuccess(statusCode)) {
		const text = unreadableJobAnswerText(what, requestId, record ? 'has no job status' : 'is not JSON');
		throw new SegmindFailure('badResponse', text.message, { httpCode: statusCode, requestId, body, description: text.description });
	}
	throw httpFailure(response, what, maxRetries, requestId);
}

export function jobFailed(requestId: string, error: string, body?: unknown): SegmindFailure {
	const text = jobFailedText(requestId, error);
	return new SegmindFailure('failed', text.message, { httpCode: 422, requestId, body, description: text.description });
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
	return {
		outputUrl,
		seed: typeof body.seed === 'number' ? body.seed : undefined,
		metrics: isRecord(body.metrics) ? (body.metrics as IDataObject) : {},
		body,
	};
}
