/**
 * What the client returns when a call fails: a SegmindFailure of facts (what happened, while
 * doing what, the status, the request ID, the server's redacted words), never a sentence. The
 * words are errors/messages.ts's (test/unit/errors/messages.test.ts). HTTP here is a fake
 * answering each request in turn; the real-HTTP paths are in test/integration.
 */
import { PassThrough } from 'stream';

import { SegmindFailure, type FailureContext, type FailureFacts } from '../../../nodes/SegmindFaceToMany/errors/failures';
import { SegmindClient } from '../../../nodes/SegmindFaceToMany/transport/client';
import type { HttpCall } from '../../../nodes/SegmindFaceToMany/transport/http';
import type { JobPayload } from '../../../nodes/SegmindFaceToMany/transport/wire';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholePng } = require('../../server/images');

const KEY = 'sk-secret-key-123456';
const BASE = 'https://api.segmind.com';
const IMAGE = 'https://img.segmind.com/a.png';

type Answer = { statusCode: number; headers?: Record<string, string>; body?: unknown } | { throws: Error } | 'hang';

/** A client whose HTTP answers each request with the next answer (the last one repeats); no retries. */
function client(answers: Answer[], itemTimeoutMs?: number): SegmindClient {
	let n = 0;
	const http: HttpCall = async (request) => {
		const answer = answers[Math.min(n++, answers.length - 1)];
		if (answer === 'hang') {
			return await new Promise<never>((_, reject) => request.abortSignal?.addEventListener?.('abort', () => reject(new Error('aborted'))));
		}
		if ('throws' in answer) throw answer.throws;
		// The body as n8n hands it over: a Buffer, a stream, text or parsed JSON.
		return { statusCode: answer.statusCode, headers: answer.headers ?? {}, body: answer.body as Buffer };
	};
	const base = new SegmindClient(http, {
		baseUrl: BASE,
		uploadBaseUrl: 'https://workflows-api.segmind.com',
		retry: { maxRetries: 0 },
		requestTimeoutMs: 5000,
		maxDownloadBytes: 1000,
		secrets: [KEY],
	});
	return itemTimeoutMs === undefined ? base : base.forItem({ signal: new AbortController().signal, timeoutMs: itemTimeoutMs });
}

const payload: JobPayload = {
	image: 'https://example.com/face.png',
	style: 'Clay',
	prompt: 'a person',
	negative_prompt: '',
	seed: 1,
	lora_scale: 1,
	prompt_strength: 4.5,
	denoising_strength: 0.65,
	instant_id_strength: 1,
	control_depth_strength: 0.8,
};
const job = { requestId: 'job-1', statusUrl: `${BASE}/v2/requests/job-1/status`, responseUrl: `${BASE}/v2/requests/job-1` };
const png: Buffer = wholePng();
const cutPng = png.subarray(0, 60);
const CUT = 'the PNG ends after 60 bytes, before its IEND chunk';
const refused: Answer = { throws: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) };
const reset: Answer = { throws: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) };
const REFUSED = 'the server refused the connection';
const CLOSED = 'the connection was closed before the answer arrived';
const streamOf = (bytes: Buffer) => {
	const stream = new PassThrough();
	stream.end(bytes);
	return stream;
};
const store = async (source: unknown) => {
	if (!Buffer.isBuffer(source)) for await (const chunk of source as AsyncIterable<unknown>) void chunk;
	return 'stored';
};

async function failureOf(call: () => Promise<unknown>): Promise<SegmindFailure> {
	const outcome = await call().then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.value)}`);
	if (!(outcome.error instanceof SegmindFailure)) throw outcome.error;
	return outcome.error;
}

const cases: Array<[string, () => Promise<unknown>, FailureFacts, FailureContext]> = [
	// submit
	[
		'submit answered 401: the status and the server\'s words, the key in them redacted',
		() => client([{ statusCode: 401, body: { error: `Invalid API key ${KEY}` } }]).submit(payload),
		{ problem: 'httpError', step: 'submit', status: 401, said: 'Invalid API key [redacted]', maxRetries: 0 },
		{ httpCode: 401 },
	],
	[
		'submit answered 429 after the retries allowed',
		() => client([{ statusCode: 429, body: { error: 'Rate limit exceeded' } }]).submit(payload),
		{ problem: 'httpError', step: 'submit', status: 429, said: 'Rate limit exceeded', maxRetries: 0 },
		{ httpCode: 429 },
	],
	[
		'submit answered 400',
		() => client([{ statusCode: 400, body: { error: 'bad param' } }]).submit(payload),
		{ problem: 'httpError', step: 'submit', status: 400, said: 'bad param', maxRetries: 0 },
		{ httpCode: 400 },
	],
	[
		'submit answered 5xx: maybe billed, the request ID from the body',
		() => client([{ statusCode: 500, body: { error: 'boom', request_id: 'r5' } }]).submit(payload),
		{ problem: 'maybeBilled', step: 'submit', after: 'serverError', status: 500 },
		{ requestId: 'r5', httpCode: 500 },
	],
	[
		'submit answered 5xx: maybe billed, the request ID from the x-request-id header',
		() => client([{ statusCode: 502, headers: { 'x-request-id': 'h502' }, body: '<html>x</html>' }]).submit(payload),
		{ problem: 'maybeBilled', step: 'submit', after: 'serverError', status: 502 },
		{ requestId: 'h502', httpCode: 502 },
	],
	[
		'submit accepted with an answer that is not JSON',
		() => client([{ statusCode: 200, body: 'hello' }]).submit(payload),
		{ problem: 'badSubmitAnswer' },
		{ httpCode: 200 },
	],
	[
		'submit accepted with an answer that lacks the URLs',
		() => client([{ statusCode: 200, body: { request_id: 'abc' } }]).submit(payload),
		{ problem: 'badSubmitAnswer', missing: ['status_url', 'response_url'] },
		{ requestId: 'abc', httpCode: 200 },
	],
	[
		'submit accepted with a status URL on another host',
		() => client([{ statusCode: 200, body: { request_id: 'abc', status_url: 'https://evil.com/s', response_url: `${BASE}/r` } }]).submit(payload),
		{ problem: 'foreignHost', origin: 'https://evil.com', allowed: [BASE] },
		{ requestId: 'abc' },
	],
	[
		'submit never connected: unreachable (nothing was sent)',
		() => client([refused]).submit(payload),
		{ problem: 'unreachable', step: 'submit', cause: REFUSED, baseUrl: BASE },
		{},
	],
	[
		'submit sent, then the connection closed: maybe billed',
		() => client([reset]).submit(payload),
		{ problem: 'maybeBilled', step: 'submit', after: 'noAnswer', cause: CLOSED },
		{},
	],
	[
		"submit sent, then the item's Timeout ran out: maybe billed",
		() => client(['hang'], 100).submit(payload),
		{ problem: 'maybeBilled', step: 'submit', after: 'timeout', awaiting: 'answer' },
		{},
	],
	// status and result
	[
		'status answered 404: expired',
		() => client([{ statusCode: 404, body: { error: 'not found' } }]).status(job),
		{ problem: 'expired' },
		{ requestId: 'job-1', httpCode: 404 },
	],
	[
		'status answered 2xx that is not JSON',
		() => client([{ statusCode: 200, body: 'nope' }]).status(job),
		{ problem: 'unreadableJobAnswer', step: 'status', notJson: true },
		{ requestId: 'job-1', httpCode: 200 },
	],
	[
		'status answered 2xx JSON without a status',
		() => client([{ statusCode: 200, body: { foo: 1 } }]).status(job),
		{ problem: 'unreadableJobAnswer', step: 'status', notJson: false },
		{ requestId: 'job-1', httpCode: 200 },
	],
	[
		'status answered 503 after the retries allowed',
		() => client([{ statusCode: 503, body: '<html>busy</html>' }]).status(job),
		{ problem: 'httpError', step: 'status', status: 503, maxRetries: 0 },
		{ requestId: 'job-1', httpCode: 503 },
	],
	[
		'status never connected',
		() => client([refused]).status(job),
		{ problem: 'unreachable', step: 'status', cause: REFUSED, baseUrl: BASE },
		{ requestId: 'job-1' },
	],
	[
		'a status URL on another host is refused before anything is sent',
		() => client([{ statusCode: 200, body: {} }]).status({ ...job, statusUrl: 'https://evil.com/x' }),
		{ problem: 'foreignHost', origin: 'https://evil.com', allowed: [BASE, 'https://workflows-api.segmind.com'] },
		{ requestId: 'job-1' },
	],
	[
		"status: the item's Timeout ran out, with what the last try got",
		() => client(['hang'], 100).status(job),
		{ problem: 'itemTimeout', step: 'status', timeoutMs: 100, lastTry: 'no answer arrived in time' },
		{ requestId: 'job-1' },
	],
	[
		'result still PROCESSING',
		() => client([{ statusCode: 200, body: { status: 'PROCESSING' } }]).result(job),
		{ problem: 'notCompleted', jobStatus: 'PROCESSING' },
		{ requestId: 'job-1' },
	],
	[
		'result FAILED, with its reason',
		() => client([{ statusCode: 200, body: { status: 'FAILED', error: 'NSFW content' } }]).result(job),
		{ problem: 'jobFailed', reason: 'NSFW content' },
		{ requestId: 'job-1', httpCode: 422 },
	],
	[
		'result COMPLETED without an output URL',
		() => client([{ statusCode: 200, body: { status: 'COMPLETED' } }]).result(job),
		{ problem: 'noOutputUrl' },
		{ requestId: 'job-1' },
	],
	// the output image
	[
		'download answered 404: the link is gone',
		() => client([{ statusCode: 404 }]).downloadImage(IMAGE, 'job-1', store),
		{ problem: 'imageLinkFailed', status: 404, host: 'img.segmind.com' },
		{ requestId: 'job-1', httpCode: 404 },
	],
	[
		'download answered an HTML page',
		() => client([{ statusCode: 200, body: streamOf(Buffer.from('<html><body>hi</body></html>')) }]).downloadImage(IMAGE, 'job-1', store),
		{ problem: 'notAnImage', host: 'img.segmind.com', seen: 'an HTML page' },
		{ requestId: 'job-1' },
	],
	[
		'download declared over the cap',
		() => client([{ statusCode: 200, headers: { 'content-length': '5000' }, body: png }]).downloadImage(IMAGE, 'job-1', store),
		{ problem: 'imageTooLarge', host: 'img.segmind.com', bytes: 5000, capBytes: 1000 },
		{ requestId: 'job-1' },
	],
	[
		'download cut short twice',
		() => client([{ statusCode: 200, body: streamOf(cutPng) }]).downloadImage(IMAGE, 'job-1', store),
		{ problem: 'imageIncomplete', host: 'img.segmind.com', detail: CUT },
		{ requestId: 'job-1' },
	],
	[
		'the image host never connected: it is named, not the Base URL',
		() => client([refused]).downloadImage(IMAGE, 'job-1', store),
		{ problem: 'unreachable', step: 'download', cause: REFUSED, baseUrl: BASE, imageHost: 'img.segmind.com' },
		{ requestId: 'job-1' },
	],
	// upload and credits
	[
		'upload answered 500',
		() => client([{ statusCode: 500 }]).upload(Buffer.from('x'), 'image/png'),
		{ problem: 'httpError', step: 'upload', status: 500, maxRetries: 0 },
		{ httpCode: 500 },
	],
	[
		'upload answered without a URL',
		() => client([{ statusCode: 200, body: {} }]).upload(Buffer.from('x'), 'image/png'),
		{ problem: 'noUploadUrl' },
		{ httpCode: 200 },
	],
	[
		'credits answered text',
		() => client([{ statusCode: 200, body: 'text' }]).credits(),
		{ problem: 'creditsNotJson' },
		{ httpCode: 200 },
	],
	// the legacy v1 call
	[
		'v1 answered 5xx: maybe billed',
		() => client([{ statusCode: 500, body: Buffer.from('{"error":"oops"}') }]).runSync(payload, 5000, store),
		{ problem: 'maybeBilled', step: 'run', after: 'serverError', status: 500 },
		{ httpCode: 500 },
	],
	[
		'v1 answered 422 with the model\'s words',
		() => client([{ statusCode: 422, body: Buffer.from('{"error":"Custom LoRA URL format is not supported."}') }]).runSync(payload, 5000, store),
		{ problem: 'httpError', step: 'run', status: 422, said: 'Custom LoRA URL format is not supported.', maxRetries: 0 },
		{ httpCode: 422 },
	],
	[
		'v1 answered 200 with an HTML page',
		() => client([{ statusCode: 200, headers: { 'x-request-id': 'v1id' }, body: Buffer.from('<html>x</html>') }]).runSync(payload, 5000, store),
		{ problem: 'notAnImage', seen: 'an HTML page' },
		{ requestId: 'v1id', httpCode: 200 },
	],
	[
		'v1 image cut short: maybe billed (not fetched again)',
		() => client([{ statusCode: 200, headers: { 'x-request-id': 'v1id' }, body: cutPng }]).runSync(payload, 5000, store),
		{ problem: 'maybeBilled', step: 'run', after: 'incompleteImage', detail: CUT },
		{ requestId: 'v1id' },
	],
	[
		'v1 image over the cap',
		() => client([{ statusCode: 200, body: Buffer.concat([png, Buffer.alloc(2000)]) }]).runSync(payload, 5000, store),
		{ problem: 'imageTooLarge', bytes: png.length + 2000, capBytes: 1000 },
		{},
	],
	[
		'v1 sent, then the connection closed: maybe billed',
		() => client([reset]).runSync(payload, 5000, store),
		{ problem: 'maybeBilled', step: 'run', after: 'noAnswer', cause: CLOSED },
		{},
	],
];

describe('a failed call is thrown as facts', () => {
	test.each(cases)('%s', async (_name, call, facts, context) => {
		const failure = await failureOf(call);
		expect(failure.facts).toEqual(facts);
		expect({ requestId: failure.requestId, httpCode: failure.httpCode }).toEqual({
			requestId: context.requestId,
			httpCode: context.httpCode,
		});
	});

	test('no fact and no server body carries the API key', async () => {
		for (const [, call] of cases) {
			const failure = await failureOf(call);
			expect(JSON.stringify({ facts: failure.facts, body: failure.body, message: failure.message })).not.toContain(KEY);
		}
	});
});
