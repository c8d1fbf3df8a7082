/**
 * Reading an image answer (a download, or the v1 answer) into n8n's binary store: within the size
 * cap (a Content-Length over it fails before reading), within the request's deadline, checked to
 * be an image by its first bytes and whole by the time it ends (see BodyWatch).
 */
import { redactDeep, SegmindFailure } from '../errors/failures';
import { ExecutionCancelledError } from '../helpers/abort';
import { describeBytes, detectImageType, imageProblem } from '../helpers/image';
import { discardBody, type SentResponse } from './http';
import { BodyWatch, isStreamBody, type BinarySource } from './imageStream';
import { header, toBuffer, type Headers } from './wire';

/** What a stored image is, for the store callback. */
export interface ImageInfo {
	mimeType: string;
	extension: string;
	/** The answer's headers (redacted). */
	headers: Headers;
}

/** Stores an image stream (e.g. through n8n's prepareBinaryData); must consume `source`. */
export type ImageStore<T> = (source: BinarySource, info: ImageInfo) => Promise<T>;

export interface StoredImage<T> extends ImageInfo {
	stored: T;
	bytes: number;
}

/** What bounds the reading, and what it must not let through. */
export interface ReceiveLimits {
	maxBytes: number;
	/** Hides the API key in texts from the server (here: the headers handed on). */
	redact: (text: string) => string;
	/** The user's Stop. */
	signal?: AbortSignal;
	/** The item's deadline (epoch ms) and its Timeout, for the timeout failure. */
	itemDeadline?: number;
	itemTimeoutMs?: number;
}

/** Whose image answer it is: its failures name it. */
export interface ImageSource {
	/** The public host of a downloaded output image; absent for the v1 answer (a job that may be billed). */
	host?: string;
	requestId?: string;
	/** The answer's status, for a v1 answer that is not an image. */
	httpCode?: number;
}

function tooLarge(limits: ReceiveLimits, source: ImageSource, bytes: number | undefined): SegmindFailure {
	return new SegmindFailure({ problem: 'imageTooLarge', host: source.host, bytes, capBytes: limits.maxBytes }, { requestId: source.requestId });
}

function notImage(source: ImageSource, head: Buffer, headers: Headers): SegmindFailure {
	const seen = describeBytes(head, header(headers, 'content-type'));
	return new SegmindFailure({ problem: 'notAnImage', host: source.host, seen }, { requestId: source.requestId, httpCode: source.httpCode });
}

/**
 * Read an image answer into `store` within the size cap and the request's deadline, checking
 * that it is an image (by its first bytes) and whole. Returns `{ problem }` when it arrived
 * incomplete (cut short, or too slow to finish before the request's deadline).
 */
export async function receiveImage<T>(
	limits: ReceiveLimits,
	response: SentResponse,
	store: ImageStore<T>,
	source: ImageSource,
): Promise<StoredImage<T> | { problem: string }> {
	const headers = redactDeep(response.headers, limits.redact);
	const declared = Number(header(headers, 'content-length'));
	if (Number.isFinite(declared) && declared > limits.maxBytes) {
		response.release();
		discardBody(response.body);
		throw tooLarge(limits, source, declared);
	}
	const { body } = response;
	if (!isStreamBody(body)) {
		response.release();
		return await storeBuffer(limits, toBuffer(body), headers, store, source);
	}
	const watch = new BodyWatch(body, limits.maxBytes);
	const { signal } = response.deadline;
	const onAbort = () => watch.stop({ reason: 'stopped' });
	signal.addEventListener('abort', onAbort, { once: true });
	if (signal.aborted) onAbort();
	let stored: { value: T; mimeType: string; extension: string } | undefined;
	try {
		await watch.waitFor(16);
		const type = watch.ended || (watch.broken && !watch.complete) ? undefined : watch.sniff();
		if (type) {
			const info = { ...type, headers };
			try {
				stored = { value: await store(body, info), ...type };
			} catch {
				// What went wrong is read from the watch below.
			}
		}
	} finally {
		signal.removeEventListener('abort', onAbort);
		response.release();
		if (!stored) discardBody(body);
	}
	if (limits.signal?.aborted) throw new ExecutionCancelledError();
	const end = watch.ended;
	if (end?.reason === 'tooLarge') throw tooLarge(limits, source, undefined);
	if (end?.reason === 'stopped') {
		const itemDeadline = limits.itemDeadline !== undefined && response.deadline.at >= limits.itemDeadline;
		const { requestId } = source;
		if (itemDeadline && source.host === undefined) {
			throw new SegmindFailure({ problem: 'maybeBilled', step: 'run', after: 'timeout', awaiting: 'image' }, { requestId });
		}
		if (itemDeadline) {
			throw new SegmindFailure({ problem: 'itemTimeout', step: 'receive', timeoutMs: limits.itemTimeoutMs ?? 0 }, { requestId });
		}
		return { problem: 'it did not arrive completely within the request time limit' };
	}
	if (end?.reason === 'incomplete') return { problem: end.problem };
	if (stored && watch.complete) {
		return { stored: stored.value, mimeType: stored.mimeType, extension: stored.extension, headers, bytes: watch.bytes };
	}
	const head = watch.head();
	if (!stored && !watch.broken && head.length > 0 && !detectImageType(head)) throw notImage(source, head, headers);
	return { problem: watch.bytes ? `the connection closed after ${watch.bytes} bytes` : 'the connection closed before any byte arrived' };
}

/** The same checks for an answer n8n handed over as a whole Buffer. */
async function storeBuffer<T>(
	limits: ReceiveLimits,
	bytes: Buffer,
	headers: Headers,
	store: ImageStore<T>,
	source: ImageSource,
): Promise<StoredImage<T> | { problem: string }> {
	if (bytes.length > limits.maxBytes) throw tooLarge(limits, source, bytes.length);
	const type = detectImageType(bytes);
	if (!type) throw notImage(source, bytes, headers);
	const problem = imageProblem(bytes, type);
	if (problem) return { problem };
	const stored = await store(bytes, { ...type, headers });
	return { stored, ...type, headers, bytes: bytes.length };
}

/** The first 64 KB of a streamed error answer (the rest is dropped). */
export async function readSmall(response: SentResponse): Promise<Buffer> {
	const { body } = response;
	if (!isStreamBody(body)) {
		response.release();
		return toBuffer(body);
	}
	const watch = new BodyWatch(body, 65536);
	const onAbort = () => watch.stop({ reason: 'stopped' });
	response.deadline.signal.addEventListener('abort', onAbort, { once: true });
	try {
		body.resume();
		await watch.waitFor(65536);
	} finally {
		response.deadline.signal.removeEventListener('abort', onAbort);
		response.release();
		discardBody(body);
	}
	return watch.head();
}
