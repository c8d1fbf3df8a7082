/**
 * Each operation end to end in n8n's engine against the local Segmind server: what the node
 * outputs and exactly what the server saw. (The secret check runs on every run, see support.ts.)
 */
import * as fs from 'fs';
import * as path from 'path';

import { binaryBuffer } from '../harness/n8n-engine';
import { FAST, nodeError, onlyJobId, runNode, useServer } from './support';

const ctx = useServer();

async function fetchBytes(url: string): Promise<Buffer> {
	const response = await fetch(url);
	return Buffer.from(await response.arrayBuffer());
}

describe('Generate (the default operation)', () => {
	test('submits, polls, fetches the result and emits the image the output URL serves', async () => {
		const run = await runNode(ctx.server, { style: 'Toy', seed: 77, options: FAST });
		expect(run.error).toBeUndefined();
		const id = onlyJobId(ctx.server);
		const [item] = run.items;
		expect(item.json).toMatchObject({
			request_id: id,
			status: 'COMPLETED',
			style: 'Toy',
			seed: 77,
			file_name: `segmind-toy-${id}.png`,
			mime_type: 'image/png',
		});
		// Output "Binary" (the default): the image itself, not the link that expires.
		expect(item.json).not.toHaveProperty('output_url');
		expect(item.json.metrics).toMatchObject({ cost: 0.0246 });
		const routes = ctx.server.requests.map((r) => r.route);
		const bytes = await binaryBuffer(item);
		expect(item.json.file_size).toBe(bytes.length);
		expect(bytes.equals(await fetchBytes(`${ctx.server.url}/outputs/${id}.png`))).toBe(true);

		expect(routes[0]).toBe('submit');
		expect(routes.slice(-2)).toEqual(['result', 'download']);
		expect(new Set(routes.slice(1, -2))).toEqual(new Set(['status']));
		expect(ctx.server.requests[0].body).toMatchObject({ style: 'Toy', seed: 77, prompt: 'a person' });
	});

	test('a binary photo is uploaded first and the job is sent with the uploaded URL', async () => {
		const run = await runNode(
			ctx.server,
			{ imageSource: 'binary', style: 'Emoji', options: FAST },
			{ items: [{ file: 'fixtures/face.png' }] },
		);
		expect(run.error).toBeUndefined();
		const [upload, submit] = ctx.server.requests;
		expect(upload.route).toBe('upload');
		expect(upload.apiKeyValid).toBe(true);
		expect((upload.body?.data_urls as string[])[0]).toMatch(/^data:image\/png;base64,/);
		expect(submit.route).toBe('submit');
		const image = submit.body?.image as string;
		expect(image).toMatch(new RegExp(`^${ctx.server.url}/assets/`));
		// The uploaded asset is the very file the item carried.
		const fixture = fs.readFileSync(path.join(__dirname, '../fixtures/face.png'));
		expect((await fetchBytes(image)).equals(fixture)).toBe(true);
		expect(run.items[0].json.style).toBe('Emoji');
	});
});

describe('Output (Binary, URL Only, Both)', () => {
	const cases: Array<[string, Record<string, unknown>, { binary: boolean; url: boolean }]> = [
		['not set (Binary)', {}, { binary: true, url: false }],
		['Binary', { output: 'binary' }, { binary: true, url: false }],
		['URL Only', { output: 'url' }, { binary: false, url: true }],
		['Both', { output: 'both' }, { binary: true, url: true }],
	];
	test.each(cases)('Generate with Output %s', async (_label, output, expected) => {
		const run = await runNode(ctx.server, { options: FAST, commonOptions: output });
		expect(run.error).toBeUndefined();
		const id = onlyJobId(ctx.server);
		const [item] = run.items;
		const url = `${ctx.server.url}/outputs/${id}.png`;
		expect({ binary: item.binary !== undefined, url: item.json.output_url }).toEqual({
			binary: expected.binary,
			url: expected.url ? url : undefined,
		});
		expect(ctx.server.count('download')).toBe(expected.binary ? 1 : 0);
		if (expected.binary) {
			expect((await binaryBuffer(item)).equals(await fetchBytes(url))).toBe(true);
			expect(item.json).toMatchObject({ mime_type: 'image/png', file_name: expect.stringMatching(/\.png$/) });
		} else {
			expect(item.json).not.toHaveProperty('file_name');
			expect(item.json).not.toHaveProperty('file_size');
		}
		expect(item.json).toMatchObject({ request_id: id, status: 'COMPLETED' });
	});

	test('Sync Generate Image (Legacy) always returns the image: v1 answers with the bytes and has no link', async () => {
		const run = await runNode(ctx.server, { operation: 'generateSync', options: FAST, commonOptions: { output: 'url' } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		expect(run.items[0].json).not.toHaveProperty('output_url');
	});
});

describe('Submit', () => {
	test('returns request_id, status_url and response_url at once, without polling', async () => {
		ctx.server.configure({ processingMs: 60_000 });
		const run = await runNode(ctx.server, { operation: 'submit', style: 'Clay', options: FAST });
		expect(run.error).toBeUndefined();
		const id = onlyJobId(ctx.server);
		expect(run.items).toEqual([
			{
				json: {
					request_id: id,
					status: 'QUEUED',
					status_url: `${ctx.server.url}/v2/requests/${id}/status`,
					response_url: `${ctx.server.url}/v2/requests/${id}`,
					style: 'Clay',
					seed: 'random',
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
	});
});

describe('Get Job Result', () => {
	async function submitJob(): Promise<{ id: string; statusUrl: string; responseUrl: string }> {
		const run = await runNode(ctx.server, { operation: 'submit', style: 'Pixels', options: FAST });
		const json = run.items[0].json;
		return { id: json.request_id as string, statusUrl: json.status_url as string, responseUrl: json.response_url as string };
	}

	test.each([
		['the request ID', (job: { id: string }) => job.id],
		['the status URL', (job: { statusUrl: string }) => job.statusUrl],
		['the response URL', (job: { responseUrl: string }) => job.responseUrl],
	])('from %s: waits for completion and downloads the image like Generate', async (_label, pick) => {
		const job = await submitJob();
		const before = ctx.server.requests.length;
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: pick(job as never), options: FAST });
		expect(run.error).toBeUndefined();
		const [item] = run.items;
		expect(item.json).toMatchObject({ request_id: job.id, status: 'COMPLETED', mime_type: 'image/png' });
		const routes = ctx.server.requests.slice(before).map((r) => r.route);
		expect((await binaryBuffer(item)).equals(await fetchBytes(`${ctx.server.url}/outputs/${job.id}.png`))).toBe(true);
		expect(routes).not.toContain('submit');
		expect(routes.slice(-2)).toEqual(['result', 'download']);
		expect(routes[0]).toBe('status');
		// Poll paths are the job's own.
		const polls = ctx.server.requests.slice(before).filter((r) => r.route === 'status');
		expect(polls.length).toBeGreaterThan(0);
		expect(polls.every((r) => r.path === `/v2/requests/${job.id}/status`)).toBe(true);
	});

	test('after Submit Job it needs nothing filled in: the incoming request_id, with that job\'s style and seed, and the file named like Generate\'s', async () => {
		const submitted = await runNode(ctx.server, { operation: 'submit', style: 'Pixels', options: FAST });
		const job = submitted.items[0].json;
		const before = ctx.server.requests.length;
		// Get Job Result as added fresh: no Request ID typed, its default reads the incoming item.
		const run = await runNode(ctx.server, { operation: 'getResult', options: FAST }, { items: [{ json: job }] });
		expect(run.error).toBeUndefined();
		const id = job.request_id as string;
		expect(run.items[0].json).toMatchObject({
			request_id: id,
			status: 'COMPLETED',
			style: 'Pixels',
			seed: 'random',
			file_name: `segmind-pixels-${id}.png`,
		});
		expect(ctx.server.requests.slice(before).every((r) => r.route === 'download' || r.path.includes(id))).toBe(true);
	});

	test('a job it only knows by ID reports its style and seed as unknown (null), and names the file without the style', async () => {
		const job = await submitJob();
		// The incoming item is another job's Submit output: its style and seed are not this job's.
		const other = { request_id: 'another-job-0001', style: 'Clay', seed: 5 };
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: job.id, options: FAST }, { items: [{ json: other }] });
		expect(run.items[0].json).toMatchObject({ request_id: job.id, style: null, seed: null, file_name: `segmind-${job.id}.png` });
	});

	test('"Wait for Completion" off: a running job returns its status at once, no image', async () => {
		ctx.server.configure({ processingMs: 60_000 });
		const job = await submitJob();
		const before = ctx.server.requests.length;
		const run = await runNode(ctx.server, {
			operation: 'getResult',
			requestId: job.id,
			waitForCompletion: false,
			options: FAST,
		});
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({
			request_id: job.id,
			status: expect.stringMatching(/^(QUEUED|PROCESSING)$/),
			status_url: job.statusUrl,
			response_url: job.responseUrl,
		});
		expect(run.items[0].binary).toBeUndefined();
		expect(ctx.server.requests.slice(before).map((r) => r.route)).toEqual(['status']);
	});

	test('"Wait for Completion" off: a finished job is downloaded', async () => {
		const job = await submitJob();
		await new Promise((resolve) => setTimeout(resolve, 150)); // queue 20 ms + processing 50 ms
		const before = ctx.server.requests.length;
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: job.id, waitForCompletion: false, options: FAST });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ request_id: job.id, status: 'COMPLETED' });
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		expect(ctx.server.requests.slice(before).map((r) => r.route)).toEqual(['status', 'result', 'download']);
	});

	test('"Wait for Completion" off: a FAILED job is an error with the server text', async () => {
		ctx.server.configure({ failJob: 'Face not detected in the input image' });
		const job = await submitJob();
		await new Promise((resolve) => setTimeout(resolve, 150));
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: job.id, waitForCompletion: false, options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Segmind found no face in the photo');
		expect(error.description).toContain(`Segmind said: "Face not detected in the input image". Request ID: ${job.id}.`);
		expect(error.context.request_id).toBe(job.id);
	});

	test('Output "URL Only": only the output URL, nothing downloaded', async () => {
		const job = await submitJob();
		const before = ctx.server.requests.length;
		const run = await runNode(ctx.server, {
			operation: 'getResult',
			requestId: job.id,
			options: FAST,
			commonOptions: { output: 'url' },
		});
		expect(run.items[0].json.output_url).toBe(`${ctx.server.url}/outputs/${job.id}.png`);
		expect(run.items[0].binary).toBeUndefined();
		expect(ctx.server.requests.slice(before).map((r) => r.route)).not.toContain('download');
	});

	test('Output "Both": the image and its URL', async () => {
		const job = await submitJob();
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: job.id, options: FAST, commonOptions: { output: 'both' } });
		expect(run.items[0].json).toMatchObject({ output_url: `${ctx.server.url}/outputs/${job.id}.png`, mime_type: 'image/png' });
		expect((await binaryBuffer(run.items[0])).equals(await fetchBytes(`${ctx.server.url}/outputs/${job.id}.png`))).toBe(true);
	});

});

describe('every operation that returns a job returns the same fields', () => {
	test('Generate Image, Get Job Result and Sync Generate Image (Legacy) (Output Binary), and Submit Job with a pending Get Job Result', async () => {
		const generated = await runNode(ctx.server, { style: 'Clay', options: FAST });
		const legacy = await runNode(ctx.server, { operation: 'generateSync', style: 'Clay', options: FAST });
		const submitted = await runNode(ctx.server, { operation: 'submit', style: 'Clay', options: FAST });
		const collected = await runNode(ctx.server, { operation: 'getResult', options: FAST }, { items: [{ json: submitted.items[0].json }] });
		const finished = [generated, legacy, collected].map((run) => run.items[0].json);
		const keys = ['request_id', 'status', 'style', 'seed', 'metrics', 'cost', 'remaining_credits', 'file_name', 'mime_type', 'file_size'];
		for (const json of finished) expect(Object.keys(json).sort()).toEqual([...keys].sort());
		for (const json of finished) {
			expect(json).toMatchObject({ status: 'COMPLETED', style: 'Clay', cost: 0.0246 });
			expect(json.file_name).toBe(`segmind-clay-${json.request_id}.png`);
		}
		// A random seed reads "random", unless Segmind says which it used (the legacy call's x-seed-value).
		expect(finished.map((json) => json.seed)).toEqual(['random', expect.any(Number), 'random']);

		ctx.server.configure({ processingMs: 60_000 });
		const queued = await runNode(ctx.server, { operation: 'submit', style: 'Toy', seed: 5, options: FAST });
		const pending = await runNode(ctx.server, { operation: 'getResult', waitForCompletion: false, options: FAST }, { items: [{ json: queued.items[0].json }] });
		const handle = ['request_id', 'status', 'style', 'seed', 'status_url', 'response_url'];
		expect(Object.keys(queued.items[0].json).sort()).toEqual([...handle].sort());
		expect(Object.keys(pending.items[0].json).sort()).toEqual([...handle, 'metrics'].sort());
		expect(pending.items[0].json).toMatchObject({ style: 'Toy', seed: 5 });
	});
});

describe('Sync Generate Image (Legacy)', () => {
	test('one POST to /v1/face-to-many answered with the image bytes', async () => {
		const run = await runNode(ctx.server, {
			operation: 'generateSync',
			style: 'Video game',
			seed: 42,
			options: FAST,
			commonOptions: { binaryPropertyOutput: 'art' },
		});
		expect(run.error).toBeUndefined();
		const [item] = run.items;
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			style: 'Video game',
			seed: 42,
			mime_type: 'image/png',
			metrics: { cost: 0.0246, remaining_credits: expect.any(Number) },
		});
		expect(item.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
		expect(item.json.file_name).toBe(`segmind-video-game-${item.json.request_id}.png`);
		const bytes = await binaryBuffer(item, 'art');
		expect(bytes.subarray(1, 4).toString()).toBe('PNG');
		expect(item.json.file_size).toBe(bytes.length);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['sync']);
		expect(ctx.server.requests[0].path).toBe('/v1/face-to-many');
		expect(ctx.server.requests[0].contentType).toMatch(/application\/json/);
		expect(ctx.server.requests[0].body).toMatchObject({ style: 'Video game', seed: 42 });
	});
});

describe('Get Credits', () => {
	test('GET /v1/get-user-credits returns the balance', async () => {
		ctx.server.configure({ credits: 12.5 });
		const run = await runNode(ctx.server, { operation: 'getCredits' });
		expect(run.error).toBeUndefined();
		// Segmind's "free-credits", named so an expression reads it as $json.free_credits.
		expect(run.items).toEqual([{ json: { credits: 12.5, free_credits: 0.0184 }, pairedItem: { item: 0 } }]);
		expect(ctx.server.requests.map((r) => [r.method, r.path, r.apiKeyValid])).toEqual([
			['GET', '/v1/get-user-credits', true],
		]);
	});
});
