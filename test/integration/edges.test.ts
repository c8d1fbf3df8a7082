/**
 * A hostile network and a misbehaving server: the key goes only to the credential's hosts, server
 * texts are redacted, a job is never billed twice, every wait ends at the item's Timeout, bodies
 * stay within the size cap, and images are checked whole. Each case asserts what the node did AND
 * what the servers saw (jobs billed = items, requests per route, keys received elsewhere).
 * Every run also checks the API key leaked nowhere (support.ts runNode).
 */
import type { IDataObject } from 'n8n-workflow';

import { binaryBuffer } from '../harness/n8n-engine';
import { FAST, nodeError, onlyJobId, runNode, SECRET_KEY, useServer, type SegmindServer } from './support';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createForeignServer } = require('../server/foreign-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../server/images');

interface ForeignServer {
	url: string;
	requests: Array<{ method: string; path: string; apiKey?: string }>;
	keysSeen(): string[];
	reset(): void;
	start(): Promise<string>;
	stop(): Promise<void>;
}

const ctx = useServer();
const foreign: ForeignServer = createForeignServer();
beforeAll(async () => {
	await foreign.start();
});
beforeEach(() => foreign.reset());
afterAll(async () => {
	await foreign.stop();
});

const host = (server: { url: string }) => new URL(server.url).host;
/** Generous slack over a deadline: the point is that the run ends, not how fast. */
const SLACK_MS = 2500;

/** How each keyed endpoint is reached. */
const KEYED: Array<[string, IDataObject, { items?: unknown[] }]> = [
	['submit', { options: FAST }, {}],
	['status', { options: FAST }, {}],
	['result', { options: FAST }, {}],
	['upload', { imageSource: 'binary', options: FAST }, { items: [{ file: 'fixtures/face.png' }] }],
	['credits', { operation: 'getCredits', options: FAST }, {}],
	['sync', { operation: 'generateSync', options: FAST }, {}],
];

describe('the API key goes only to the credential\'s own hosts', () => {
	const cases = KEYED.flatMap(([route, parameters, opts]) =>
		[301, 302, 303, 307, 308].map((code) => [route, code, parameters, opts] as const),
	);
	test.each(cases)('a %s answered with %i to another host: not followed, the key stays home', async (route, code, parameters, opts) => {
		ctx.server.inject(route, { status: code, headers: { Location: `${foreign.url}/v2/requests/x/status` }, body: '' });
		const run = await runNode(ctx.server, parameters, opts);
		expect(foreign.keysSeen()).toEqual([]);
		expect(foreign.requests).toEqual([]);
		const error = nodeError(run);
		expect(error.message).toMatch(new RegExp(`redirect \\(HTTP ${code}\\)`));
		expect(error.description).toMatch(/never follows a redirect with your API key/);
		expect(ctx.server.count(route)).toBe(1);
		// Jobs billed: the one submitted when the redirect came after the submit, none otherwise.
		expect(ctx.server.billed()).toBe(['status', 'result'].includes(route) ? 1 : 0);
	});

	test.each([
		['status_url and response_url', { jobUrlBase: 'FOREIGN' }],
	])('a submit answer with its %s on another host fails the item with its request id; nothing is sent there', async (_label) => {
		ctx.server.configure({ jobUrlBase: foreign.url });
		const run = await runNode(ctx.server, { options: FAST });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toBe(
			`Segmind's answer points at another host (${foreign.url}); the node sends the API key only to the credential's hosts (${ctx.server.url})`,
		);
		expect(error.description).toContain(`request ID ${id}`);
		expect(error.context.request_id).toBe(id);
		expect(foreign.requests).toEqual([]);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
		expect(ctx.server.billed()).toBe(1);
	});

	test('only status_url foreign (response_url at home) is refused as well', async () => {
		ctx.server.inject('submit', {
			status: 200,
			afterCreate: true,
			body: () => ({
				request_id: 'abc123def',
				status: 'QUEUED',
				status_url: `${foreign.url}/v2/requests/abc123def/status`,
				response_url: `${ctx.server.url}/v2/requests/abc123def`,
			}),
		});
		const run = await runNode(ctx.server, { options: FAST });
		expect(nodeError(run).context.request_id).toBe('abc123def');
		expect(foreign.requests).toEqual([]);
		expect(ctx.server.billed()).toBe(1);
	});

	test.each([301, 302, 307])('the public image download follows a %i to another host, without the key', async (code) => {
		ctx.server.inject('download', { status: code, headers: { Location: `${foreign.url}/outputs/moved.png` }, body: '' });
		const run = await runNode(ctx.server, { options: FAST });
		expect(run.error).toBeUndefined();
		expect((await binaryBuffer(run.items[0])).equals(wholePng(0, 'Toy'))).toBe(true);
		expect(foreign.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/outputs/moved.png']]);
		expect(foreign.keysSeen()).toEqual([]);
		expect(ctx.server.billed()).toBe(1);
	});
});

describe('every text that came from the server is redacted', () => {
	const echo = (_e: unknown, req: { headers: Record<string, string> }) => ({ error: `Bad request for key ${req.headers['x-api-key']}` });
	test.each([
		['a 400 on submit', 'submit', { status: 400, body: echo }],
		['a 401 on submit', 'submit', { status: 401, body: echo }],
		['a 500 on status', 'status', { status: 500, body: echo, times: 10 }],
		['a FAILED job', 'status', { status: 422, body: (_e: unknown, req: { headers: Record<string, string> }) => ({ status: 'FAILED', error: `Model crashed; key=${req.headers['x-api-key']}` }) }],
	])('%s that echoes the key: the message carries [redacted] instead', async (_label, route, fault) => {
		ctx.server.inject(route, fault);
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 0 } });
		const error = nodeError(run);
		const shown = `${error.message} ${error.description} ${JSON.stringify(error.context)}`;
		expect(shown).toContain('[redacted]');
		expect(shown).not.toContain(SECRET_KEY);
	});

	test('Get Credits output that echoes the key carries [redacted]', async () => {
		ctx.server.inject('credits', {
			status: 200,
			body: (_e: unknown, req: { headers: Record<string, string> }) => ({ credits: 1, 'free-credits': 0, note: `for ${req.headers['x-api-key']}` }),
		});
		const run = await runNode(ctx.server, { operation: 'getCredits', options: FAST });
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toEqual({ credits: 1, free_credits: 0, note: 'for [redacted]' });
	});
});

describe('never billed twice: a job request is re-sent only when no job can exist', () => {
	test.each([502, 503, 504, 500])('submit answered %i after the job was created: one POST, one job, the error says it may be billed', async (code) => {
		ctx.server.inject('submit', { status: code, afterCreate: true, body: '<html>gateway</html>', times: 10 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 4 } });
		const error = nodeError(run);
		expect(error.message).toBe(`The job was sent to Segmind but Segmind answered HTTP ${code}: a job may have been created and billed`);
		expect(error.description).toMatch(/did not send it again/);
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.billed()).toBe(1);
	});

	test('a 5xx with the request id in its body names that id and Get Job Result', async () => {
		ctx.server.inject('submit', { status: 504, afterCreate: true, body: { error: 'timeout', request_id: 'req-504-abcdef' } });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 4 } });
		const error = nodeError(run);
		expect(error.context.request_id).toBe('req-504-abcdef');
		expect(error.description).toContain('Get Job Result operation and request ID req-504-abcdef');
		expect(ctx.server.count('submit')).toBe(1);
	});

	test.each([
		['a reset after sending', { reset: true }],
		['no answer (hang)', { hang: true }],
		['a 502', { status: 502, afterCreate: true }],
		['a drip that never ends', { drip: { intervalMs: 100, contentType: 'image/png', prefix: Buffer.from('89504e470d0a1a0a', 'hex') } }],
	])('Sync Generate Image (Legacy) with retries on, after %s: never POSTed again', async (_label, fault) => {
		ctx.server.inject('sync', { ...fault, times: 10 });
		const run = await runNode(ctx.server, { operation: 'generateSync', options: { ...FAST, maxRetries: 4, timeoutSeconds: 2 } });
		const error = nodeError(run);
		expect(error.message).toMatch(/^The job was sent to Segmind but .+: a job may have been created and billed$/);
		expect(ctx.server.count('sync')).toBe(1);
		expect(ctx.server.billed()).toBeLessThanOrEqual(1);
	});

	test('a 429 on submit is re-sent (it created nothing): one job in the end', async () => {
		ctx.server.inject('submit', { status: 429, headers: { 'Retry-After': '0' } });
		const run = await runNode(ctx.server, { options: FAST });
		expect(run.error).toBeUndefined();
		expect(ctx.server.count('submit')).toBe(2);
		expect(ctx.server.billed()).toBe(1);
	});
});

describe('hard deadlines: the item\'s Timeout bounds everything the item does', () => {
	const png = Buffer.from('89504e470d0a1a0a', 'hex');
	const DRIPS: Array<[string, IDataObject, { items?: unknown[] }, string, number]> = [
		['submit', { options: FAST }, {}, 'application/json', 0],
		['status', { options: FAST }, {}, 'application/json', 1],
		['result', { options: FAST }, {}, 'application/json', 1],
		['download', { options: FAST }, {}, 'image/png', 1],
		['upload', { imageSource: 'binary', options: FAST }, { items: [{ file: 'fixtures/face.png' }] }, 'application/json', 0],
		['sync', { operation: 'generateSync', options: FAST }, {}, 'image/png', 0],
	];
	test.each(DRIPS)('a drip-fed answer on %s ends at the Timeout (one request, no job billed twice)', async (route, parameters, opts, contentType, jobs) => {
		ctx.server.inject(route, { drip: { intervalMs: 50, contentType, prefix: contentType === 'image/png' ? png : '{' }, times: 10 });
		const timeoutSeconds = 2;
		const run = await runNode(ctx.server, { ...parameters, options: { ...(parameters.options as IDataObject), timeoutSeconds, maxRetries: 3 } }, opts);
		const error = nodeError(run);
		expect(error.message).toMatch(/Timeout|did not finish within 2 s/);
		expect(run.elapsedMs).toBeLessThan(timeoutSeconds * 1000 + SLACK_MS);
		expect(ctx.server.count(route)).toBe(1);
		expect(ctx.server.billed()).toBe(jobs);
		if (jobs) expect(error.context.request_id).toBe(onlyJobId(ctx.server));
	});

	test('one request\'s own deadline ends a trickling answer (Get Credits has no Timeout: its bound is this one)', async () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const transport = {
		...require('../../dist/nodes/SegmindFaceToMany/transport/http.js'),
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		...require('../../dist/nodes/SegmindFaceToMany/transport/backoff.js'),
	};
		ctx.server.inject('credits', { drip: { intervalMs: 20, prefix: '{' }, times: 2 });
		const http = async (request: { url: string; abortSignal?: AbortSignal }) => {
			const response = await fetch(request.url, { headers: { 'x-api-key': SECRET_KEY }, signal: request.abortSignal });
			return { statusCode: response.status, headers: {}, body: await response.text() };
		};
		const startedAt = Date.now();
		const outcome = await transport
			.sendWithRetry(http, { method: 'GET', url: `${ctx.server.url}/v1/get-user-credits` }, { authenticated: true, retry: 'idempotent', timeoutMs: 400 }, { ...transport.DEFAULT_RETRY_POLICY, maxRetries: 1, baseDelayMs: 50 })
			.then(() => 'answered', (error: Error & { code?: string }) => error.code);
		expect(outcome).toBe('ETIMEDOUT');
		// Two tries of 400 ms each (the GET is retried once), not an endless wait.
		expect(ctx.server.count('credits')).toBe(2);
		expect(Date.now() - startedAt).toBeLessThan(800 + SLACK_MS);
	});

	test('a rate-limit wait longer than the Timeout ends the item at once (every item of the run)', async () => {
		ctx.server.inject('submit', { status: 429, headers: { 'Retry-After': '60' }, times: 10 });
		const run = await runNode(
			ctx.server,
			{ options: { ...FAST, timeoutSeconds: 3, maxConcurrency: 2 } },
			{ items: [{ json: {} }, { json: {} }], continueOnFail: true },
		);
		expect(run.items).toHaveLength(2);
		for (const item of run.items) expect(String(item.json.error)).toMatch(/the item's Timeout \(3 s\) ran out while submitting the job/);
		expect(run.elapsedMs).toBeLessThan(3000 + SLACK_MS);
		expect(ctx.server.billed()).toBe(0);
	});

	test('download retries stop at the Timeout and name the job', async () => {
		ctx.server.inject('download', { status: 503, body: 'busy', times: 100 });
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 3, maxRetries: 10 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toBe(`Segmind job ${id}: the item's Timeout (3 s) ran out while downloading the output image (the last try: HTTP 503)`);
		expect(error.description).toContain(`request ID ${id}`);
		expect(run.elapsedMs).toBeLessThan(3000 + SLACK_MS);
	});

	test('with Continue On Fail one hung item does not hold the others past its own deadline', async () => {
		const server: SegmindServer = ctx.server;
		const promptOf = (e: { path: string }) => server.jobs.get(e.path.split('/')[3])?.body.prompt;
		server.inject('status', { when: (e: { path: string }) => promptOf(e) === 'slow', drip: { intervalMs: 50 }, times: 100 });
		const prompts = ['a', 'slow', 'b', 'c'];
		const run = await runNode(
			server,
			{ prompt: '={{ $json.prompt }}', options: { ...FAST, timeoutSeconds: 5, maxConcurrency: 4 } },
			{ items: prompts.map((prompt) => ({ json: { prompt } })), continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(4);
		expect(String(run.items[1].json.error)).toMatch(/did not finish within 5 s/);
		for (const i of [0, 2, 3]) {
			expect(run.items[i].json.status).toBe('COMPLETED');
			expect(run.items[i].binary?.data).toBeDefined();
		}
		expect(run.elapsedMs).toBeLessThan(5000 + SLACK_MS);
		expect(server.billed()).toBe(4);
	});
});

describe('bodies stay within "Max Output Image Size (MB)"', () => {
	const MB = 1048576;
	test.each([
		['5 MB with Content-Length', { bytes: 5 * MB, contentLength: true }, 'The output image is 5.0 MB, over the 1 MB limit'],
		['5 MB without Content-Length', { bytes: 5 * MB, contentLength: false }, 'The output image is over the 1 MB limit'],
		['an endless body', { bytes: Infinity }, 'The output image is over the 1 MB limit'],
	])('download of %s: fails naming the limit', async (_label, flood, message) => {
		ctx.server.inject('download', { flood });
		const run = await runNode(ctx.server, { options: { ...FAST, maxImageSizeMb: 1 } });
		const error = nodeError(run);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/Max Output Image Size/);
		expect(ctx.server.count('download')).toBe(1);
		expect(ctx.server.billed()).toBe(1);
	});

	test.each([
		['with Content-Length', { bytes: 5 * MB, contentLength: true }, 'The image is 5.0 MB, over the 1 MB limit'],
		['endless', { bytes: Infinity }, 'The image is over the 1 MB limit'],
	])('the v1 answer %s: fails naming the limit, not re-sent', async (_label, flood, message) => {
		ctx.server.inject('sync', { flood, afterCreate: true });
		const run = await runNode(ctx.server, { operation: 'generateSync', options: { ...FAST, maxImageSizeMb: 1, maxRetries: 3 } });
		expect(nodeError(run).message).toBe(message);
		expect(ctx.server.count('sync')).toBe(1);
	});
});

describe('images are checked whole', () => {
	const cut = (bytes: Buffer, n: number) => bytes.subarray(0, n).toString('base64');
	test.each([
		['a PNG cut to 100 bytes', cut(wholePng(), 100), /the PNG ends after 100 bytes, before its IEND chunk/],
		['the PNG signature plus one byte', cut(wholePng(), 9), /the PNG ends after 9 bytes/],
		['a JPEG without its end marker', cut(wholeJpeg(400), 300), /the JPEG ends after 300 bytes, without its end marker/],
		['a WebP shorter than its RIFF size', cut(wholeWebp(400), 200), /the WebP ends after 200 of the 40\d bytes/],
	])('input: %s fails before any request', async (_label, bytes, problem) => {
		const run = await runNode(ctx.server, { imageSource: 'binary', options: FAST }, { items: [{ bytes, mimeType: 'image/png' }] });
		const error = nodeError(run);
		expect(error.message).toMatch(/^Invalid input photo: the file in "data"( \([^)]*\))? is an incomplete image/);
		expect(error.message).toMatch(problem);
		expect(ctx.server.requests).toEqual([]);
	});

	test.each([
		['cut short once (clean end)', { truncate: 300, times: 1 }],
		['cut short once (connection closed)', { truncate: 300, declareFull: true, times: 1 }],
	])('output %s: downloaded again, then delivered whole', async (_label, fault) => {
		ctx.server.inject('download', fault);
		const run = await runNode(ctx.server, { options: FAST });
		expect(run.error).toBeUndefined();
		const id = onlyJobId(ctx.server);
		const served = (ctx.server.jobs.get(id) as unknown as { image: Buffer }).image;
		expect((await binaryBuffer(run.items[0])).equals(served)).toBe(true);
		expect(ctx.server.count('download')).toBe(2);
		expect(ctx.server.billed()).toBe(1);
	});

	test.each([
		['clean end', { truncate: 300, times: 2 }],
		['connection closed', { truncate: 300, declareFull: true, times: 2 }],
	])('output cut short twice (%s): fails naming the job and the image host', async (_label, fault) => {
		ctx.server.inject('download', fault);
		const run = await runNode(ctx.server, { options: FAST });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toMatch(new RegExp(`^The output image from ${host(ctx.server)} is incomplete \\(.+\\) for job ${id}$`));
		expect(error.description).toContain(`request ID ${id}`);
		expect(run.items).toHaveLength(0);
		expect(ctx.server.count('download')).toBe(2);
	});

	test('a v1 answer cut short: fails (may be billed), not re-sent', async () => {
		ctx.server.inject('sync', { truncate: 300 });
		const run = await runNode(ctx.server, { operation: 'generateSync', options: { ...FAST, maxRetries: 3 } });
		expect(nodeError(run).message).toMatch(/^The job was sent to Segmind but its image arrived incomplete \(the PNG ends after 300 bytes/);
		expect(ctx.server.count('sync')).toBe(1);
	});
});

describe('JPEG and WebP outputs keep their type', () => {
	test.each([
		['jpeg', 'image/jpeg', 'jpg'],
		['webp', 'image/webp', 'webp'],
		['png', 'image/png', 'png'],
	])('%s: the binary\'s mime type, extension and file name follow the bytes', async (format, mimeType, extension) => {
		for (const operation of ['generate', 'generateSync']) {
			await ctx.server.reset();
			ctx.server.configure({ outputFormat: format });
			const run = await runNode(ctx.server, { operation, options: FAST });
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
			const binary = run.items[0].binary?.data;
			expect(binary).toMatchObject({ mimeType, fileExtension: extension });
			expect(run.items[0].json.mime_type).toBe(mimeType);
			expect(String(run.items[0].json.file_name).endsWith(`.${extension}`)).toBe(true);
			expect((await binaryBuffer(run.items[0])).length).toBe(run.items[0].json.file_size);
		}
	});
});

describe('smaller ones', () => {
	test.each(['status', 'result'])('unparseable %s JSON once: retried like any transient answer, then the image', async (route) => {
		ctx.server.inject(route, { status: 200, body: '{"status": "COMPL' });
		const run = await runNode(ctx.server, { options: FAST });
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.filter((r) => r.route === route).length).toBeGreaterThanOrEqual(2);
		expect(ctx.server.billed()).toBe(1);
	});

	test('unparseable status JSON every time: fails naming the request id and Get Job Result', async () => {
		ctx.server.inject('status', { status: 200, body: '<html>oops</html>', times: 100 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 2 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toBe(`Segmind's answer while checking the job status for job ${id} is not JSON`);
		expect(error.description).toContain(`Get Job Result operation and request ID ${id}`);
		expect(ctx.server.count('status')).toBe(3);
		expect(ctx.server.count('submit')).toBe(1);
	});

	test('errors from the image host name that host, not the Base URL', async () => {
		ctx.server.inject('result', {
			status: 200,
			body: (e: { path: string }) => ({ status: 'COMPLETED', request_id: e.path.split('/')[3], output: 'http://127.0.0.1:9/outputs/x.png' }),
		});
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 0 } });
		const error = nodeError(run);
		expect(error.message).toBe('Could not reach the image host 127.0.0.1:9 while downloading the output image: the server refused the connection');
		expect(error.description).not.toContain(ctx.server.url);
	});

	test('an HTTP error from the image host names that host', async () => {
		ctx.server.inject('download', { status: 500, body: 'boom', times: 10 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 0 } });
		expect(nodeError(run).message).toBe(`Could not download the output image from ${host(ctx.server)} (HTTP 500)`);
	});
});

describe('the local server\'s reset()', () => {
	test('ends requests still in flight and never records them', async () => {
		ctx.server.inject('submit', { hang: true });
		const outcome = fetch(`${ctx.server.url}/v2/face-to-many`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', 'x-api-key': SECRET_KEY },
			body: JSON.stringify({ image: 'https://x/y.png' }),
		}).then(
			() => 'answered',
			() => 'closed',
		);
		while (ctx.server.count('submit') === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		await ctx.server.reset();
		expect(await outcome).toBe('closed');
		expect(ctx.server.requests).toEqual([]);
	});
});
