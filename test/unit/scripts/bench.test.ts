/**
 * The benchmark's pieces that tests can pin down quickly: the local server's emulated job times,
 * rate limit (off by default), round trips and client tags, and the bench's arithmetic: the lower
 * bound it divides by, the clock compression it picks, what it reads from the logs, the targets.
 */
import { FAST, runNode, useServer } from '../../integration/support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { createSegmindServer, jobTiming } = require('../../server/segmind-server');
const {
	GRID,
	lowerBound,
	gridCells,
	chooseScale,
	planCell,
	serverStats,
	perClient,
	parsePauseLine,
	limitChanges,
	shareChanges,
	summarise,
	cellTargets,
	targetSummary,
} = require('../../../scripts/bench-lib');

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
		// The limit is the key's, whichever client sends: a tagged client (another process) meets the same window.
		expect((await post(`${url}/c/other`)).status).toBe(429);
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

describe('local Segmind server, the world users live in (bench region)', () => {
	const server = createSegmindServer({ apiKey: KEY, queueMs: 0, processingMs: 0 });
	let url: string;
	beforeAll(async () => {
		url = await server.start();
	});
	afterAll(async () => await server.stop());
	beforeEach(() => server.reset());

	it('holds every answer for its round trip: half before handling the request, half before answering', async () => {
		server.configure({ latencyMs: 300 });
		const sent = Date.now();
		const answer = await fetch(`${url}/v1/get-user-credits`, { headers: { 'x-api-key': KEY } });
		const arrived = Date.now();
		expect(answer.status).toBe(200);
		// A machine's speed can only add to these; they hold however loaded it is.
		expect(arrived - sent).toBeGreaterThanOrEqual(300 - 2);
		expect(server.requests[0].at - sent).toBeGreaterThanOrEqual(150 - 2);
		expect(arrived - server.requests[0].at).toBeGreaterThanOrEqual(150 - 2);
	});

	it('tells clients of one key apart by the /c/<tag> prefix of their base URL, and hands out URLs under it', async () => {
		const tagged = `${url}/c/p2`;
		const job = (await (await post(tagged)).json()) as { status_url: string; response_url: string; poll_url: string };
		expect(job.status_url.startsWith(`${tagged}/v2/requests/`)).toBe(true);
		expect(job.response_url.startsWith(`${tagged}/v2/requests/`)).toBe(true);
		expect(job.poll_url.startsWith(`${tagged}/v1/requests/`)).toBe(true);
		const result = (await (await fetch(job.response_url, { headers: { 'x-api-key': KEY } })).json()) as { output: string };
		expect(result.output.startsWith(`${tagged}/outputs/`)).toBe(true);
		expect((await fetch(result.output)).status).toBe(200);
		await post(url); // untagged: as before
		expect(server.requests.map((r: { client?: string; route: string }) => [r.client, r.route])).toEqual([
			['p2', 'submit'],
			['p2', 'result'],
			['p2', 'download'],
			[undefined, 'submit'],
		]);
		expect(perClient(server.requests)).toEqual({ p2: { keyed: 2, rateLimited: 0, submits: 1 }, '-': { keyed: 1, rateLimited: 0, submits: 1 } });
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

	it('a round trip adds the three after the last job (status, result, download), or two after the last counted request', () => {
		expect(lowerBound({ durations: [5000, 9000], latencyMs: 200 })).toEqual({ lowerBoundMs: 9600, jobsMs: 9600, rateMs: 0, binding: 'jobs' });
		const many = new Array(32).fill(22_000);
		expect(lowerBound({ durations: many, limit: 50, windowMs: 60_000, counts: 'all', latencyMs: 200 })).toEqual({
			lowerBoundMs: 60_400,
			jobsMs: 22_600,
			rateMs: 60_400,
			binding: 'rate',
		});
		// All requests fit in the first window: the rate adds nothing.
		expect(lowerBound({ durations: [1000], limit: 50, counts: 'all', latencyMs: 200 }).rateMs).toBe(0);
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

describe('benchmark grid and clock', () => {
	it('has the 192 cells of the issue, each named by its axes', () => {
		const cells = gridCells();
		expect(cells).toHaveLength(4 * 2 * 3 * 2 * 2 * 2);
		expect(new Set(cells.map((c: { id: string }) => c.id)).size).toBe(cells.length);
		expect(cells).toContainEqual({ id: '50/min all N=32 jobs=22s rtt=200ms P=3', plan: 50, counts: 'all', n: 32, jobS: 22, latencyMs: 200, processes: 3 });
		expect(GRID.plans).toEqual([5, 50, 120, 1000]);
	});

	it('runs the clock ×10 normally, faster for long runs, slower where CPU, load or round trips would not compress', () => {
		expect(chooseScale({ lowerBoundMs: 30_000 })).toEqual({ scale: 10, reason: 'normal' });
		// An hour of API time: about a minute of real time.
		expect(chooseScale({ lowerBoundMs: 3_600_000 })).toEqual({ scale: 100, reason: 'long' });
		expect(chooseScale({ lowerBoundMs: 3_600_000 }, { maxScale: 50 })).toEqual({ scale: 50, reason: 'max' });
		// A 200 ms round trip is at least 2 real ms (one timer each way).
		expect(chooseScale({ lowerBoundMs: 3_600_000, latencyMs: 200 })).toEqual({ scale: 100, reason: 'long' });
		expect(chooseScale({ lowerBoundMs: 3_600_000, latencyMs: 20 })).toEqual({ scale: 10, reason: 'latency' });
		// 1 s of real CPU on the critical path stays under 5 % of a 30 s bound only at ×1.
		expect(chooseScale({ lowerBoundMs: 30_000, criticalRealMs: 1000 })).toEqual({ scale: 1, reason: 'cpu' });
		expect(chooseScale({ lowerBoundMs: 300_000, criticalRealMs: 1000 })).toEqual({ scale: 10, reason: 'normal' });
		// A loop asking 200 real ms of CPU every (virtual) second may run at most ×5 within one core.
		expect(chooseScale({ lowerBoundMs: 30_000, loadPerS: 200 })).toEqual({ scale: 5, reason: 'load' });
	});

	it('runs the naive loop only where it can succeed and stays affordable', () => {
		const durations = (n: number) => new Array(n).fill(22_000);
		const cellOf = (axes: object) => ({ id: 'x', plan: 50, counts: 'all', n: 32, jobS: 22, latencyMs: 0, processes: 1, ...axes });
		// 5 a minute, every request counts, 32 jobs: 19 windows, past the naive loop's 600 s deadline.
		const free = planCell(cellOf({ plan: 5 }), durations(32));
		expect(free.naive).toEqual({ run: false, why: 'bound 1140 s > its 600 s deadline: it cannot succeed' });
		const pro = planCell(cellOf({}), durations(32));
		expect(pro.naive.run).toBe(true);
		expect(pro.naive.requests).toBe(32 * 63); // a request a second until the 60 s bound, and 3 more
		expect(planCell(cellOf({ n: 300, plan: 1000 }), durations(300)).naive.run).toBe(true);
		expect(planCell(cellOf({ n: 300, plan: 1000, processes: 3 }), durations(900)).naive).toMatchObject({ run: false });
		expect(planCell(cellOf({}), durations(32), { fixedScale: 2 })).toMatchObject({ node: { scale: 2, reason: 'fixed' }, naive: { scale: 2 } });
	});
});

describe('benchmark figures from the logs', () => {
	const ctx = useServer();

	it("reads the pause log line the node writes to n8n's log (the built node, in n8n's engine)", async () => {
		ctx.server.configure({ rateLimit: { limit: 2, windowMs: 1000, counts: 'all' } });
		const run = await runNode(ctx.server, { options: FAST }, { items: [{ json: {} }, { json: {} }] });
		expect(run.items.filter((item) => item.binary)).toHaveLength(2);
		const pauses = run.written.split('\n').map(parsePauseLine).filter(Boolean) as Array<{ pauseMs: number; limit?: number }>;
		expect(ctx.server.requests.some((r) => (r as { rateLimited?: boolean }).rateLimited)).toBe(true);
		expect(pauses.length).toBeGreaterThan(0);
		expect(pauses.every((p) => p.pauseMs > 0)).toBe(true);
		expect(pauses.some((p) => (p.limit ?? 0) > 0)).toBe(true);
	});

	it("reads the node's pause log line, with or without a learned limit", () => {
		expect(parsePauseLine('Segmind rate limit (429): all items of "Segmind Face to Many" pause for 4.2 s; from now on at most 50 requests per 60 s window')).toEqual({
			pauseMs: 4200,
			limit: 50,
			windowMs: 60_000,
		});
		expect(parsePauseLine('Segmind rate limit (429): all items of "X" pause for 0.5 s; from now on at most 7 requests per window')).toEqual({ pauseMs: 500, limit: 7, windowMs: undefined });
		expect(parsePauseLine('Segmind rate limit (429): all items of "X" pause for 12 s')).toEqual({ pauseMs: 12_000, limit: undefined, windowMs: undefined });
		expect(parsePauseLine('Workflow execution finished')).toBeNull();
	});

	it('counts the changes of the limit a process logged, and of its share of the key', () => {
		const logged = (limits: Array<number | undefined>) => limits.map((limit) => ({ pauseMs: 1000, limit }));
		expect(limitChanges(logged([undefined, 50, 50, 7, 4, 4, 2]))).toEqual({ limits: [50, 50, 7, 4, 4, 2], changes: 4 });
		expect(limitChanges([])).toEqual({ limits: [], changes: 0 });
		// Three processes start together; p1 ends first, then p3, then p2.
		const ends = [10_000, 30_000, 20_000];
		expect([0, 1, 2].map((i) => shareChanges(ends, i))).toEqual([1, 3, 2]);
	});

	it("sums up a cell from the processes' and the server's reports, and checks the targets", () => {
		const lb = lowerBound({ durations: [20_000, 20_000, 20_000, 20_000], limit: 2, windowMs: 60_000, counts: 'all' });
		expect(lb.lowerBoundMs).toBe(300_000);
		const run = (client: string, endAt: number, done: number, errors: string[], pauses: Array<{ limit?: number }>) => ({
			client,
			n: 2,
			startAt: 1000,
			endAt,
			done,
			errors,
			pauses,
			cpuMs: 500,
		});
		const node = summarise({
			lb,
			runs: [run('p1', 301_000, 2, [], [{ limit: 2 }]), run('p2', 331_000, 1, ["Segmind job abc: the item's Timeout (600 s) ran out while waiting"], [{ limit: 1 }, { limit: 1 }])],
			server: {
				stats: { keyedRequests: 14, pollsPerDoneJob: 1, rateLimited: 3, max429PerWindow: 1 },
				perClient: { p1: { keyed: 7, rateLimited: 1, submits: 2 }, p2: { keyed: 7, rateLimited: 2, submits: 2 } },
				billed: 4,
			},
		});
		expect(node).toMatchObject({ wallS: 330, n: 4, done: 3, lost: 1, lostToTimeout: 1, billedNotDelivered: 1, requestsPerJob: 3.5, rateLimited: 3, max429PerChange: 1, unhandledRejections: 0 });
		expect(node.wallOverLb).toBeCloseTo(1.1);
		expect(node.processes.map((p: { shareChanges: number; loggedChanges: number }) => [p.shareChanges, p.loggedChanges])).toEqual([
			[1, 1],
			[2, 1],
		]);
		// A lost item misses the wall target whatever the time, and the Timeout target where the bound fits.
		const targets = cellTargets({ node, naive: null, lb });
		expect(targets).toEqual({
			wall: { met: false, yardstick: 'bound' },
			per429: { met: true },
			requests: { met: true },
			noTimeoutLoss: { met: false, applies: true },
			handled: { met: true },
		});
		expect(cellTargets({ node: { ...node, unhandledRejections: 2 }, naive: null, lb }).handled).toEqual({ met: false });
		const whole = { ...node, lost: 0, wallS: 400, wallOverLb: 400 / 300 };
		expect(cellTargets({ node: whole, naive: null, lb }).wall).toEqual({ met: false, yardstick: null });
		// Within 1.15 × a naive loop that delivered everything: met against that yardstick.
		expect(cellTargets({ node: whole, naive: { wallS: 360, lost: 0 }, lb }).wall).toEqual({ met: true, yardstick: 'naive' });
		expect(cellTargets({ node: whole, naive: { wallS: 360, lost: 2 }, lb }).wall.met).toBe(false);
		expect(cellTargets({ node: { ...whole, requestsPerJob: 4.5, max429PerChange: 2 }, naive: null, lb })).toMatchObject({ per429: { met: false }, requests: { met: false } });
		const summary = targetSummary([
			{ id: 'a', targets },
			{ id: 'b', targets: cellTargets({ node: whole, naive: { wallS: 360, lost: 0 }, lb }) },
		]);
		expect(summary.wall).toEqual({ cells: 2, met: 1, missed: ['a'] });
		expect(summary.noTimeoutLoss).toEqual({ cells: 2, met: 1, missed: ['a'] });
	});
});
