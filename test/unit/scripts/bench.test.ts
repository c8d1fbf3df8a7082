/**
 * The benchmark's pieces that tests can pin down quickly: the local server's emulated job times
 * and rate limit (off by default), and the lower bound the bench divides by.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const { createSegmindServer, jobTiming } = require('../../server/segmind-server');
const { lowerBound, serverStats } = require('../../../scripts/bench-lib');

const KEY = 'k';
const BODY = JSON.stringify({ image: 'https://example.com/face.png' });

async function post(url: string, key = KEY) {
	return await fetch(`${url}/v2/face-to-many`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', 'x-api-key': key },
		body: BODY,
	});
}

describe('local Segmind server, benchmark settings', () => {
	const server = createSegmindServer({ apiKey: KEY });
	let url: string;
	beforeAll(async () => {
		url = await server.start();
	});
	afterAll(async () => await server.stop());
	beforeEach(() => server.reset());

	it('has no rate limit by default', async () => {
		for (let i = 0; i < 60; i++) expect((await fetch(`${url}/v1/get-user-credits`, { headers: { 'x-api-key': KEY } })).status).toBe(200);
	});

	it('answers keyed requests over the limit with 429 and the window end, without Retry-After', async () => {
		server.configure({ rateLimit: { limit: 3, windowMs: 400 } });
		const codes = [];
		for (let i = 0; i < 3; i++) codes.push((await post(url)).status);
		// Wrong keys count too (every request that carries x-api-key), downloads do not.
		expect((await fetch(`${url}/outputs/none.png`)).status).toBe(404);
		const limited = await fetch(`${url}/v1/get-user-credits`, { headers: { 'x-api-key': 'wrong' } });
		expect(codes).toEqual([200, 200, 200]);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBeNull();
		const resetAt = Date.parse(limited.headers.get('x-rate-limit-reset-at-utc') as string);
		expect(limited.headers.get('x-rate-limit-reset-at-utc')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
		// Windows start at the first keyed request after a reset.
		expect(resetAt).toBe(server.requests[0].at + 400);
		expect(server.requests.filter((r: { rateLimited?: boolean }) => r.rateLimited)).toHaveLength(1);
		expect(server.jobs.size).toBe(3);
		await new Promise((resolve) => setTimeout(resolve, resetAt - Date.now() + 5));
		expect((await post(url)).status).toBe(200);
	});

	it('gives the k-th job the k-th drawn duration and reports it in the metrics', async () => {
		const jobTimes = { meanMs: 300, spread: 0.2, queueShare: 0.1, seed: 7 };
		server.configure({ jobTimes, queueMs: 5000, processingMs: 5000 });
		const job = (await (await post(url)).json()) as { response_url: string };
		const { queueMs, processingMs } = jobTiming(jobTimes, 0);
		expect(queueMs + processingMs).toBeGreaterThanOrEqual(240);
		expect(queueMs + processingMs).toBeLessThanOrEqual(360);
		await new Promise((resolve) => setTimeout(resolve, queueMs + processingMs + 20));
		const result = (await (await fetch(job.response_url, { headers: { 'x-api-key': KEY } })).json()) as { status: string; output: string; metrics: unknown };
		expect(result.status).toBe('COMPLETED');
		expect(result.metrics).toMatchObject({ queue_time: queueMs / 1000, inference_time: processingMs / 1000 });
		expect(jobTiming(jobTimes, 0)).toEqual({ queueMs, processingMs });
		expect(jobTiming(jobTimes, 1)).not.toEqual({ queueMs, processingMs });
	});

	it('pads output images to imageBytes and keeps them valid PNGs', async () => {
		server.configure({ imageBytes: 100_000, queueMs: 0, processingMs: 0 });
		const job = (await (await post(url)).json()) as { response_url: string };
		const result = (await (await fetch(job.response_url, { headers: { 'x-api-key': KEY } })).json()) as { status: string; output: string; metrics: unknown };
		const bytes = Buffer.from(await (await fetch(result.output)).arrayBuffer());
		expect(bytes.length).toBe(100_000);
		expect(bytes.readUInt32BE(0)).toBe(0x89504e47);
		expect(bytes.subarray(-8, -4).toString('ascii')).toBe('IEND');
	});
});

describe('benchmark lower bound (from the API alone)', () => {
	it('no limit: every job in flight at once, so the longest job', () => {
		expect(lowerBound({ durations: [3000, 5000, 4000] })).toEqual({ lowerBoundMs: 5000, jobsMs: 5000, rateMs: 0, binding: 'jobs' });
	});

	it('only submits count: the k-th job is created no earlier than window floor(k / L), then takes its time', () => {
		// L = 2 per 10 s: jobs 2 and 3 are created in the second window.
		expect(lowerBound({ durations: [9000, 1000, 2000, 3000], limit: 2, windowMs: 10_000, counts: 'submits' })).toEqual({
			lowerBoundMs: 13_000,
			jobsMs: 13_000,
			rateMs: 0,
			binding: 'jobs',
		});
	});

	it('every request counts: at least 3 a job (submit, one status check, the result), in whole windows', () => {
		const durations = (n: number) => new Array(n).fill(22_000);
		// 32 jobs: 96 requests need two 50-request windows, so the last one is sent 60 s in.
		expect(lowerBound({ durations: durations(32), limit: 50, windowMs: 60_000, counts: 'all' })).toEqual({
			lowerBoundMs: 60_000,
			jobsMs: 22_000,
			rateMs: 60_000,
			binding: 'rate',
		});
		expect(lowerBound({ durations: durations(16), limit: 50, windowMs: 60_000, counts: 'all' }).lowerBoundMs).toBe(22_000);
		expect(lowerBound({ durations: durations(100), limit: 50, windowMs: 60_000, counts: 'all' }).rateMs).toBe(300_000);
	});

	it('the local server counts only submits in the "submits" model', async () => {
		const server = createSegmindServer({ apiKey: KEY, queueMs: 0, processingMs: 0 });
		const url = await server.start();
		try {
			server.configure({ rateLimit: { limit: 2, windowMs: 60_000, counts: 'submits' } });
			const jobs = [];
			for (let i = 0; i < 2; i++) jobs.push((await (await post(url)).json()) as { status_url: string });
			for (let i = 0; i < 5; i++) expect((await fetch(jobs[0].status_url, { headers: { 'x-api-key': KEY } })).status).toBe(200);
			expect((await post(url)).status).toBe(429);
			server.reset();
			server.configure({ rateLimit: { limit: 2, windowMs: 60_000, counts: 'all' } });
			const job = (await (await post(url)).json()) as { status_url: string };
			expect((await fetch(job.status_url, { headers: { 'x-api-key': KEY } })).status).toBe(200);
			expect((await fetch(job.status_url, { headers: { 'x-api-key': KEY } })).status).toBe(429);
		} finally {
			await server.stop();
		}
	});

	it('reads polls per collected job and 429s per window from the request log', () => {
		const log = [
			{ hasApiKey: true, route: 'submit', path: '/v2/face-to-many', window: 0 },
			{ hasApiKey: true, route: 'status', path: '/v2/requests/a/status', window: 0 },
			{ hasApiKey: true, route: 'status', path: '/v2/requests/a/status', window: 0, rateLimited: true },
			{ hasApiKey: true, route: 'status', path: '/v2/requests/a/status', window: 1 },
			{ hasApiKey: true, route: 'result', path: '/v2/requests/a', window: 1 },
			{ hasApiKey: true, route: 'status', path: '/v2/requests/b/status', window: 1, rateLimited: true },
			{ hasApiKey: true, route: 'status', path: '/v2/requests/b/status', window: 1, rateLimited: true },
			{ hasApiKey: false, route: 'download', path: '/outputs/a.png' },
		];
		expect(serverStats(log, ['a', 'b'], 2)).toMatchObject({
			keyedRequests: 7,
			statusRequests: 5,
			pollsPerDoneJob: 3,
			rateLimited: 3,
			max429PerWindow: 2,
			windowsWithMoreThanOne429: 1,
			windows: 2,
			jobsNotCollected: 1,
		});
	});
});
