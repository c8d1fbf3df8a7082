/**
 * Faults of real networks and servers, each asserting what the node output AND what the local Segmind server saw.
 * Every run also checks the API key leaked nowhere (support.ts runNode).
 */
import type { IDataObject } from 'n8n-workflow';
import * as path from 'path';

import { binaryBuffer } from '../harness/n8n-engine';
import { FAST, nodeError, onlyJobId, runNode, SECRET_KEY, sleepMs, useServer, type SegmindServer } from './support';

const ctx = useServer();

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The run produced one PNG for the one job the server created. */
async function expectImage(run: Awaited<ReturnType<typeof runNode>>, server: SegmindServer) {
	expect(run.error).toBeUndefined();
	const id = onlyJobId(server);
	expect(run.items).toHaveLength(1);
	expect(run.items[0].json.request_id).toBe(id);
	expect(run.items[0].json.status).toBe('COMPLETED');
	const bytes = await binaryBuffer(run.items[0]);
	expect(bytes.subarray(0, 8)).toEqual(PNG_SIGNATURE);
	return id;
}

describe('429 on submit honours the rate-limit headers', () => {
	test.each([
		['Retry-After', () => ({ 'Retry-After': '2' })],
		['x-rate-limit-reset-at-utc (ISO time)', () => ({ 'x-rate-limit-reset-at-utc': new Date(Date.now() + 2000).toISOString() })],
		[
			'both (the later one wins)',
			() => ({ 'Retry-After': '1', 'x-rate-limit-reset-at-utc': new Date(Date.now() + 2000).toISOString() }),
		],
	])('%s: waits until then, then exactly one job is created', async (_label, headers) => {
		ctx.server.inject('submit', { status: 429, body: { error: 'Too many requests' }, headers });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } });
		await expectImage(run, ctx.server);
		const submits = ctx.server.requests.filter((r) => r.route === 'submit');
		expect(submits).toHaveLength(2);
		expect(submits[0].injected).toBe(429);
		// Not the ~1 s default backoff: it waited for the time the server named.
		expect(submits[1].at - submits[0].at).toBeGreaterThanOrEqual(1900);
		expect(ctx.server.jobs.size).toBe(1);
	});
});

describe('5xx with an HTML body: GETs are retried, a submit is not', () => {
	const html = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';

	test('on submit: not sent again (a gateway error does not prove no job was created); the error says so', async () => {
		ctx.server.inject('submit', { status: 502, body: html });
		const run = await runNode(ctx.server, { style: 'Pixels', options: FAST });
		const error = nodeError(run);
		expect(error.httpCode).toBe('502');
		expect(error.message).toBe('The job was sent to Segmind but Segmind answered HTTP 502: a job may have been created and billed');
		expect(error.description).toMatch(/did not send it again/);
		expect(ctx.server.count('submit')).toBe(1);
	});

	test.each(['status', 'result'])('on the %s GET: retried; exactly one POST', async (route) => {
		ctx.server.inject(route, { status: 503, body: html });
		const run = await runNode(ctx.server, { options: FAST });
		await expectImage(run, ctx.server);
		expect(ctx.server.count('submit')).toBe(1);
		const hits = ctx.server.requests.filter((r) => r.route === route);
		expect(hits[0].injected).toBe(503);
		expect(hits.length).toBeGreaterThanOrEqual(2);
		expect(ctx.server.count('result')).toBe(route === 'result' ? 2 : 1);
	});

	test('a connection reset mid-poll is retried; exactly one POST', async () => {
		ctx.server.inject('status', { reset: true });
		const run = await runNode(ctx.server, { options: FAST });
		await expectImage(run, ctx.server);
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.requests.filter((r) => r.route === 'status')[0].injected).toBe('reset');
		expect(ctx.server.count('status')).toBeGreaterThanOrEqual(2);
	});
});

describe('a 2xx submit the node cannot use is an error, never re-POSTed', () => {
	test('body is not JSON', async () => {
		ctx.server.inject('submit', { status: 200, body: '<html><body>Welcome to nginx!</body></html>' });
		const run = await runNode(ctx.server, { options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Segmind accepted the job but its answer is not JSON');
		expect(error.description).toMatch(/did not send it again/);
		await sleepMs(300);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
	});

	test.each([
		[{ request_id: 'a1b2c3d4e5', status: 'QUEUED' }, 'status_url, response_url'],
		[{ status: 'QUEUED', status_url: 'http://x/v2/requests/a/status', response_url: 'http://x/v2/requests/a' }, 'request_id'],
		[{}, 'request_id, status_url, response_url'],
	])('body %j lacks fields: the error names them', async (body, missing) => {
		ctx.server.inject('submit', { status: 200, body });
		const run = await runNode(ctx.server, { options: FAST });
		const error = nodeError(run);
		expect(error.message).toBe(`Segmind accepted the job but its answer lacks ${missing}`);
		await sleepMs(200);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
	});
});

describe('a submit whose answer never comes', () => {
	test.each([
		['hangs (request timeout)', { hang: true }],
		['is cut (connection reset)', { reset: true }],
	])('%s: no blind re-POST; the error says a job may exist and where to look', async (_label, fault) => {
		ctx.server.inject('submit', fault);
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 1, maxRetries: 3 } });
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/^The job was sent to Segmind but .+: a job may have been created and billed$/);
		expect(error.description).toMatch(/did not send it again/);
		expect(error.description).toMatch(/Segmind console/);
		await sleepMs(300);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
	});

	test('a refused connection (nothing sent) is retried, then reported as unreachable', async () => {
		// A port with nothing listening: the submit surely created no job, so retrying is safe.
		const closed = 'http://127.0.0.1:9';
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } }, { baseUrl: closed });
		const error = nodeError(run);
		expect(error.message).toBe('Could not reach Segmind while submitting the job: the server refused the connection');
		expect(error.description).toContain(closed);
	});
});

describe('output download faults', () => {
	test('404 (expired link): clear error, not retried', async () => {
		ctx.server.configure({ output: { status: 404, body: '<html>Not Found</html>', contentType: 'text/html' } });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 3 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe(`The output image link on ${new URL(ctx.server.url).host} is expired or gone (HTTP 404)`);
		expect(error.description).toMatch(/7 days/);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.count('download')).toBe(1);
		expect(ctx.server.count('submit')).toBe(1);
	});

	test('5xx once: retried, the image arrives; the download carried no API key', async () => {
		ctx.server.inject('download', { status: 503, body: '<html>busy</html>' });
		const run = await runNode(ctx.server, { options: FAST });
		await expectImage(run, ctx.server);
		const downloads = ctx.server.requests.filter((r) => r.route === 'download');
		expect(downloads).toHaveLength(2);
		expect(downloads.every((r) => !r.hasApiKey)).toBe(true);
	});

	test('a body that is not an image: clear error saying what it is', async () => {
		ctx.server.configure({
			output: { status: 200, body: '<!DOCTYPE html><html><body>Sign in</body></html>', contentType: 'image/png' },
		});
		const run = await runNode(ctx.server, { options: FAST });
		const error = nodeError(run);
		expect(error.message).toBe('The output URL did not return an image (an HTML page)');
		expect(error.context.request_id).toBe(onlyJobId(ctx.server));
		expect(ctx.server.count('download')).toBe(1);
	});

	test('a body over "Max Output Image Size (MB)": clear error naming the limit and the option', async () => {
		const big = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(Math.round(1.5 * 1024 * 1024))]);
		ctx.server.configure({ output: { status: 200, body: big, contentType: 'image/png' } });
		const run = await runNode(ctx.server, { options: { ...FAST, maxImageSizeMb: 1 } });
		const error = nodeError(run);
		expect(error.message).toBe('The output image is 1.5 MB, over the 1 MB limit');
		expect(error.description).toMatch(/Max Output Image Size \(MB\)/);
		expect(run.items).toEqual([]);
	});
});

describe('result JSON variants', () => {
	test.each(['string', 'array', 'images'])('output as %s: the image is downloaded', async (shape) => {
		ctx.server.configure({ outputShape: shape });
		const run = await runNode(ctx.server, { options: FAST, commonOptions: { output: 'both' } });
		const id = await expectImage(run, ctx.server);
		expect(run.items[0].json.output_url).toBe(`${ctx.server.url}/outputs/${id}.png`);
	});

	test('no output at all: a clear error naming the job', async () => {
		ctx.server.configure({ outputShape: 'none' });
		const run = await runNode(ctx.server, { options: FAST });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toBe(`Segmind's result for job ${id} has no output image URL`);
		expect(error.description).toMatch(/images\[0\]\.url/);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.count('download')).toBe(0);
		expect(ctx.server.count('submit')).toBe(1);
	});
});

describe('retry waits are capped (transport over real HTTP, small caps)', () => {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const transport = {
		...require('../../dist/nodes/SegmindFaceToMany/transport/http.js'),
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		...require('../../dist/nodes/SegmindFaceToMany/transport/backoff.js'),
	};

	/** When each request was sent (the waits between them are the retry waits). */
	let sentAt: number[] = [];
	beforeEach(() => (sentAt = []));
	const waits = () => sentAt.slice(1).map((at, n) => at - sentAt[n]);

	/** An HttpCall like the node's, over fetch to the local server. */
	const http = async (request: { method: string; url: string; headers?: Record<string, string>; body?: unknown; abortSignal?: AbortSignal }) => {
		sentAt.push(Date.now());
		const response = await fetch(request.url, {
			method: request.method,
			headers: { ...(request.headers ?? {}), 'x-api-key': SECRET_KEY },
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
			signal: request.abortSignal,
		});
		const headers: Record<string, string> = {};
		response.headers.forEach((value, key) => (headers[key] = value));
		return { statusCode: response.status, headers, body: await response.text() };
	};

	test('the node\'s caps: backoff ≤ 30 s, a server-told rate-limit wait ≤ 60 s', () => {
		expect(transport.DEFAULT_RETRY_POLICY).toMatchObject({ baseDelayMs: 1000, maxDelayMs: 30_000, maxRateLimitWaitMs: 60_000 });
	});

	test('Retry-After: 3600 is capped at maxRateLimitWaitMs, then the one retry creates the job', async () => {
		ctx.server.inject('submit', { status: 429, headers: { 'Retry-After': '3600' } });
		const response = await transport.sendWithRetry(
			http,
			{ method: 'POST', url: `${ctx.server.url}/v2/face-to-many`, headers: { 'Content-Type': 'application/json' }, body: { image: 'https://x/y.png' } },
			{ authenticated: true, retry: 'submit', timeoutMs: 5000 },
			{ ...transport.DEFAULT_RETRY_POLICY, maxRetries: 2, maxRateLimitWaitMs: 300 },
		);
		expect(response.statusCode).toBe(200);
		// One wait of the 300 ms cap (plus the first answer's time), not an hour.
		expect(waits()).toHaveLength(1);
		expect(waits()[0]).toBeGreaterThanOrEqual(300);
		expect(waits()[0]).toBeLessThan(1300);
		expect(ctx.server.count('submit')).toBe(2);
		expect(ctx.server.jobs.size).toBe(1);
	});

	test('5xx backoff doubles and stops at maxDelayMs', async () => {
		ctx.server.inject('status', { status: 503, body: '<html>busy</html>', times: 4 });
		const response = await transport.sendWithRetry(
			http,
			{ method: 'GET', url: `${ctx.server.url}/v2/requests/nope/status` },
			{ authenticated: true, retry: 'idempotent', timeoutMs: 5000 },
			{ ...transport.DEFAULT_RETRY_POLICY, maxRetries: 4, baseDelayMs: 200, maxDelayMs: 400 },
		);
		expect(response.statusCode).toBe(404); // the 5th answer is the server's own
		// Jitter is 50–100 % of min(maxDelayMs, base·2^n): 200, 400, then capped 400, 400 (uncapped
		// the last would be 800–1600). Each gap is the wait plus one local answer (< 300 ms slack).
		const gaps = waits();
		expect(gaps).toHaveLength(4);
		const ceilings = [200, 400, 400, 400];
		gaps.forEach((gap, n) => {
			expect(gap).toBeGreaterThanOrEqual(ceilings[n] / 2);
			expect(gap).toBeLessThan(ceilings[n] + 300);
		});
		expect(ctx.server.count('status')).toBe(5);
	});
});

describe('the user stops the execution', () => {
	/** Run with a Stop after `cancelAfterMs`; return when the stop happened and what came after. */
	async function runAndStop(parameters: IDataObject, cancelAfterMs: number, items?: unknown[]) {
		let stoppedAt = 0;
		// Scheduled before the harness's own cancel timer with the same delay, so it fires just before it.
		const marker = setTimeout(() => (stoppedAt = Date.now()), cancelAfterMs);
		const run = await runNode(ctx.server, parameters, { cancelAfterMs, items });
		const endedAt = Date.now();
		clearTimeout(marker);
		// Long enough for any leftover poll or retry (backoff ≤ 1 s here) to reach the server.
		await sleepMs(1300);
		expect(stoppedAt).toBeGreaterThan(0);
		expect(run.status).toBe('canceled');
		expect(endedAt - stoppedAt).toBeLessThan(1000);
		expect(ctx.server.requests.filter((r) => r.at > stoppedAt)).toEqual([]);
		return run;
	}

	test('mid-poll, while a status request is in flight', async () => {
		ctx.server.inject('status', { hang: true });
		await runAndStop({ options: FAST }, 600);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit', 'status']);
	});

	test('mid-poll, between status checks (Get Job Result waiting on a long job)', async () => {
		ctx.server.configure({ processingMs: 60_000 });
		const submitted = await runNode(ctx.server, { operation: 'submit', options: FAST });
		const requestId = submitted.items[0].json.request_id as string;
		const before = ctx.server.requests.length;
		// Get Result polls at once, then would sleep 3 s: the Stop lands in that sleep.
		await runAndStop({ operation: 'getResult', requestId, options: { ...FAST, pollIntervalSeconds: 3 } }, 800);
		expect(ctx.server.requests.slice(before).map((r) => r.route)).toEqual(['status']);
	});

	test('mid-backoff, after a 503 on a status poll', async () => {
		ctx.server.inject('status', { status: 503, body: '<html>busy</html>' });
		await runAndStop({ options: { ...FAST, maxRetries: 4 } }, 400);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit', 'status']);
	});

	test('mid rate-limit wait (429 with Retry-After far away, capped and abortable)', async () => {
		ctx.server.inject('submit', { status: 429, headers: { 'Retry-After': '3600' } });
		// A Timeout longer than the capped 60 s wait, so the item waits (a shorter one fails it at once).
		await runAndStop({ options: { ...FAST, timeoutSeconds: 120 } }, 700);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
		expect(ctx.server.jobs.size).toBe(0);
	});

	test('during a long Sync Generate Image (Legacy) request: the request is dropped, not re-sent', async () => {
		ctx.server.configure({ syncMs: 30_000 });
		await runAndStop({ operation: 'generateSync', options: FAST }, 500);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['sync']);
	});

	test('with several items running at once', async () => {
		ctx.server.configure({ processingMs: 60_000 });
		// Polls at ~0.5 s and ~1 s after the submits: the Stop at 0.8 s falls between them.
		await runAndStop({ options: { ...FAST, pollIntervalSeconds: 0.5, pollingMode: 'fixed' } }, 800, [{ json: {} }, { json: {} }, { json: {} }]);
		expect(ctx.server.count('status')).toBe(3);
		expect(ctx.server.count('submit')).toBe(3);
	});
});

describe('many items with Continue On Fail', () => {
	test('each failing item carries its own error; the others succeed; order and pairedItem kept', async () => {
		const { server } = ctx;
		const jobPrompt = (entry: { path: string }) => server.jobs.get(entry.path.split('/')[3])?.body.prompt;
		server.inject('submit', {
			when: (e: { body?: { prompt?: string } }) => e.body?.prompt === 'broke',
			status: 406,
			body: { error: 'Insufficient credits. Your balance is 0.0000 and this request needs 0.0246.' },
		});
		server.inject('status', {
			when: (e: { path: string }) => jobPrompt(e) === 'expire',
			status: 404,
			body: { error: 'Request not found' },
		});
		server.inject('download', {
			when: (e: { path: string }) => jobPrompt({ path: `/v2/requests/${path.basename(e.path, '.png')}` }) === 'gone',
			status: 404,
			body: '<html>Not Found</html>',
		});
		const items = [
			{ prompt: 'a person', style: 'Clay', seed: 1 },
			{ prompt: 'nsfw', style: 'Toy', seed: 2 },
			{ prompt: 'a person', style: 'Toy', seed: 1.5 },
			{ prompt: 'a person', style: 'Emoji', seed: 4 },
			{ prompt: 'broke', style: '3D', seed: 5 },
			{ prompt: 'expire', style: '3D', seed: 6 },
			{ prompt: 'gone', style: 'Pixels', seed: 7 },
			{ prompt: 'a person', style: 'Video game', seed: 8 },
		];
		const run = await runNode(
			server,
			{
				prompt: '={{ $json.prompt }}',
				style: '={{ $json.style }}',
				seed: '={{ $json.seed }}',
				options: { ...FAST, maxConcurrency: 4 },
			},
			{ items: items.map((json) => ({ json })), continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(items.length);
		expect(run.items.map((i) => i.pairedItem)).toEqual(items.map((_, i) => ({ item: i })));
		const idOf = (prompt: string) => [...server.jobs.values()].find((j) => j.body.prompt === prompt)!.id;

		for (const i of [0, 3, 7]) {
			expect(run.items[i].json).toMatchObject({ status: 'COMPLETED', style: items[i].style, seed: items[i].seed });
			expect(run.items[i].json.error).toBeUndefined();
			expect((await binaryBuffer(run.items[i])).subarray(0, 8)).toEqual(PNG_SIGNATURE);
		}
		expect(run.items[1].json).toMatchObject({
			error: "Segmind's content filter blocked the job (item 2 of 8)",
			httpCode: '422',
			request_id: idOf('nsfw'),
		});
		expect(run.items[2].json.error).toBe('Invalid "Seed": 1.5 must be a whole number between -1 and 4294967295 (item 3 of 8)');
		expect(run.items[4].json).toMatchObject({ error: 'Insufficient Segmind credits to run this job (406) (item 5 of 8)', httpCode: '406' });
		expect(run.items[5].json).toMatchObject({ error: `Request ${idOf('expire')} expired or unknown (item 6 of 8)`, httpCode: '404' });
		expect(run.items[6].json).toMatchObject({
			error: `The output image link on ${new URL(server.url).host} is expired or gone (HTTP 404) (item 7 of 8)`,
			request_id: idOf('gone'),
		});
		for (const i of [1, 2, 4, 5, 6]) expect(run.items[i].binary).toBeUndefined();

		// Server side: the invalid item was never sent; every other item was POSTed exactly once.
		const posted = server.requests.filter((r) => r.route === 'submit').map((r) => r.body?.prompt);
		expect(posted.sort()).toEqual(['a person', 'a person', 'a person', 'broke', 'expire', 'gone', 'nsfw'].sort());
		expect(server.requests.some((r) => r.body?.seed === 1.5)).toBe(false);
	});
});
