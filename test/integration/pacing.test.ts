/**
 * The request budget (one per API key, shared by executions) and adaptive polling, in n8n's
 * engine against the local server. These check behaviour (who waits for what, how many
 * requests), not speed: that is `npm run bench`.
 */
import * as path from 'path';

import { nextPollDelayMs } from '../../nodes/SegmindFaceToMany/helpers/pollPlan';
import { runWorkflow, segmindWorkflow } from '../harness/n8n-engine';
import { captureOutput, expectNoSecret, FAST, NODE, runNode, SECRET_KEY, useServer, type SegmindServer } from './support';

// The budget registry of the built node the engine runs (the same module instance).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { forgetKeys, liveBudgets } = require(path.resolve(__dirname, '../../dist/nodes/SegmindFaceToMany/transport/budgets.js'));

const ctx = useServer();

/**
 * Make the server rate-limit requests that carry the API key like Segmind: fixed windows of
 * `windowMs` letting `limit` through, then 429 with x-rate-limit-reset-at-utc (the window end).
 */
function rateLimit(server: SegmindServer, limit: number, windowMs: number) {
	const start = Date.now();
	const windowOf = (at: number) => Math.floor((at - start) / windowMs);
	const counts = new Map<number, number>();
	server.inject('*', {
		times: Number.MAX_SAFE_INTEGER,
		when: (entry: { at: number; hasApiKey: boolean }) => {
			if (!entry.hasApiKey) return false;
			const window = windowOf(entry.at);
			const count = (counts.get(window) ?? 0) + 1;
			counts.set(window, count);
			return count > limit;
		},
		status: 429,
		body: { error: 'Rate limit exceeded' },
		headers: (entry: { at: number }) => ({
			'x-rate-limit-reset-at-utc': new Date(start + (windowOf(entry.at) + 1) * windowMs).toISOString(),
		}),
	});
	return { windowOf, resetOf: (at: number) => start + (windowOf(at) + 1) * windowMs };
}

const keyed = (server: SegmindServer) => server.requests.filter((r) => r.hasApiKey);

describe('one request budget for the whole run', () => {
	test('a 429 pauses every item until the reset; the limit learned keeps it to one 429 per window', async () => {
		const { server } = ctx;
		server.configure({ queueMs: 50, processingMs: 400 });
		const limits = rateLimit(server, 5, 1000);
		const items = Array.from({ length: 6 }, (_, n) => ({ json: { n } }));
		const run = await runNode(server, { options: { ...FAST, maxRetries: 4 } }, { items });

		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(6);
		for (const item of run.items) expect(item.binary?.data?.mimeType).toBe('image/png');
		// Every item was submitted exactly once (a 429'd submit creates no job).
		expect(server.jobs.size).toBe(6);

		const requests = keyed(server);
		const limited = requests.filter((r) => r.injected === 429);
		expect(limited.length).toBeGreaterThan(0); // the budget really was exceeded at first
		const perWindow = new Map<number, number>();
		for (const r of limited) perWindow.set(limits.windowOf(r.at), (perWindow.get(limits.windowOf(r.at)) ?? 0) + 1);
		expect(Math.max(...perWindow.values())).toBe(1);
		// The pause is logged, so a user reading n8n's log sees why the run waited.
		expect(run.written).toMatch(/Segmind rate limit \(429\): all items of "Segmind Face to Many" pause for \d/);
		// After a 429, no item sent anything before the reset time the server named.
		for (const r of limited) {
			const reset = limits.resetOf(r.at);
			const during = requests.filter((other) => other.at > r.at && other.at < reset);
			expect(during).toEqual([]);
		}
	});

	test('a Stop while every item waits out a rate limit ends the run at once', async () => {
		const { server } = ctx;
		server.configure({ queueMs: 50, processingMs: 60_000 });
		// The first status check is told to come back in 50 s.
		server.inject('status', { status: 429, headers: { 'retry-after': '50' }, body: { error: 'Rate limit exceeded' } });
		const items = Array.from({ length: 3 }, (_, n) => ({ json: { n } }));
		// A Timeout longer than the 50 s wait (a shorter one ends the items at once, see edges.test.ts).
		const run = await runNode(server, { options: { ...FAST, timeoutSeconds: 120 } }, { items, cancelAfterMs: 1500 });
		expect(run.status).toBe('canceled');
		expect(run.elapsedMs).toBeLessThan(10_000);
		// One 429 paused all three: their first checks went out together, and no check after it
		// (unpaused, each item would check again every 0.1 s).
		const statuses = server.requests.filter((r) => r.route === 'status');
		expect(statuses.filter((r) => r.injected === 429)).toHaveLength(1);
		expect(statuses.length).toBeLessThanOrEqual(items.length);
		// The stopped execution left no budget behind.
		expect(liveBudgets()).toBe(0);
	});
});

describe('one request budget per API key across executions', () => {
	test('a burst of executions at once shares the limit: all succeed; once it is learned, at most one 429 a window', async () => {
		const { server } = ctx;
		server.configure({ queueMs: 50, processingMs: 400, rateLimit: { limit: 5, windowMs: 1000 } });
		const executions = 8;
		const credentials = { apiKey: SECRET_KEY, baseUrl: server.url, uploadBaseUrl: server.url };
		const { value: runs, written, reported } = await captureOutput(
			async () =>
				await Promise.all(
					Array.from({ length: executions }, async (_, e) =>
						await runWorkflow(segmindWorkflow({ options: { ...FAST, maxRetries: 4 } }, { items: [{ json: { e } }], name: `burst ${e}` }), {
							credentials,
						}),
					),
				),
		);
		for (const run of runs) {
			expectNoSecret(run, written, SECRET_KEY, reported);
			expect(run.error).toBeUndefined();
			expect(run.output(NODE).map((item) => item.binary?.data?.mimeType)).toEqual(['image/png']);
		}
		// One job per execution: no submit was repeated after creating a job.
		expect(server.jobs.size).toBe(executions);
		const keyed = server.requests as Array<{ hasApiKey: boolean; rateLimited?: boolean; window?: number; at: number }>;
		const limited = keyed.filter((r) => r.rateLimited);
		expect(limited.length).toBeGreaterThan(0); // the limit was really met (24 requests at 5 a second)
		// The first 429s find the limit: the requests in flight together at that moment may all get
		// one (slow start keeps them few). From the window after, one at most: the learned count
		// holds the rest, and only one request at a time probes past it.
		const perWindow = new Map<number, number>();
		for (const r of limited) perWindow.set(r.window!, (perWindow.get(r.window!) ?? 0) + 1);
		const [, ...later] = [...perWindow.entries()].sort(([a], [b]) => a - b).map(([, count]) => count);
		for (const count of later) expect(count).toBe(1);
		// When the last execution ended, the key's budget went with it.
		expect(liveBudgets()).toBe(0);
	});
});

describe('adaptive polling', () => {
	/** Status checks per job, in submit order. */
	function checksPerJob(server: SegmindServer): number[] {
		const ids = [...server.jobs.values()].sort((a, b) => a.createdAt - b.createdAt).map((job) => job.id);
		return ids.map((id) => server.requests.filter((r) => r.route === 'status' && r.path.includes(id)).length);
	}

	async function runBatch(pollingMode: string, jobs: number) {
		const { server } = ctx;
		await server.reset();
		forgetKeys();
		server.configure({ queueMs: 100, processingMs: 1900 });
		const items = Array.from({ length: jobs }, (_, n) => ({ json: { n } }));
		// One job at a time, each told to take 0.1 s (FAST) when it takes 2 s: the schedule must learn.
		const run = await runNode(server, { options: { ...FAST, pollingMode, maxConcurrency: 1 } }, { items });
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.binary?.data?.mimeType)).toEqual(Array(jobs).fill('image/png'));
		return checksPerJob(server);
	}

	test('learns how long jobs take and checks later jobs when they are likely done', async () => {
		// Counts only, no times: a busy machine makes every check later, so it can only make the
		// first job's checks fewer, and a later job's first check (planned from the measured jobs)
		// still finds it done or nearly so.
		const fixed = await runBatch('fixed', 2);
		const adaptive = await runBatch('adaptive', 5);
		const mean = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
		// Adaptive, expecting 0.1 s, checks the first job often (from 0.2 s on, at growing intervals)…
		expect(adaptive[0]).toBeGreaterThanOrEqual(4);
		// …and once three jobs are measured, checks the next near their time: far fewer checks.
		for (const checks of adaptive.slice(3)) expect(checks).toBeLessThanOrEqual(adaptive[0] / 2);
		// Fixed checks a 2 s job every 0.1 s.
		expect(mean(adaptive) * 2).toBeLessThan(mean(fixed));
	}, 40_000);

	test('jobs far faster than Expected Job Time: the first run finds out from its early look, the next run plans from them', async () => {
		const { server } = ctx;
		server.configure({ queueMs: 100, processingMs: 2400 });
		// Defaults: Expected Job Time 22 s, so a lone job's first check would be at 15.4 s.
		const first = await runNode(server, { options: { maxRetries: 2 } });
		expect(first.error).toBeUndefined();
		const submittedAt = server.requests.find((r) => r.route === 'submit')!.at;
		const firstChecks = server.requests.filter((r) => r.route === 'status').map((r) => r.at - submittedAt);
		// The scout's look (at 30 % of 22 s) found the 2.5 s job done: one check, far before 15.4 s.
		expect(firstChecks).toHaveLength(1);
		expect(firstChecks[0]).toBeLessThan(0.7 * 22_000);
		// The editor's next run (same key, within the hour) plans from Segmind's reported 2.5 s.
		await server.reset();
		server.configure({ queueMs: 100, processingMs: 2400 });
		const next = await runNode(server, { options: { maxRetries: 2 } });
		expect(next.error).toBeUndefined();
		const nextSubmit = server.requests.find((r) => r.route === 'submit')!.at;
		const nextChecks = server.requests.filter((r) => r.route === 'status').map((r) => r.at - nextSubmit);
		// Its first check is planned at about 2 s (the poll interval's floor), well before another early look (6.6 s).
		expect(nextChecks[0]).toBeLessThan(0.25 * 22_000);
	}, 40_000);

	test('intervals follow the schedule: they grow with the time waited and stop at ten poll intervals', async () => {
		const { server } = ctx;
		const unit = 100;
		server.configure({ queueMs: 100, processingMs: 14_900 });
		const run = await runNode(server, { options: { ...FAST, pollIntervalSeconds: unit / 1000 } });
		expect(run.error).toBeUndefined();
		const submittedAt = server.requests.find((r) => r.route === 'submit')!.at;
		const times = server.requests.filter((r) => r.route === 'status').map((r) => r.at - submittedAt);
		const gaps = times.slice(1).map((at, i) => at - times[i]);
		// A check is sent only after the answer to the previous one and the planned wait, so a busy
		// machine can only make gaps longer: each is at least what the schedule planned for the time
		// waited (the node's clock starts after the submit's answer, a little later: 5 % slack).
		gaps.forEach((gap, i) => {
			const planned = nextPollDelayMs(times[i], i + 1, { unitMs: unit, mode: 'adaptive' });
			expect(gap).toBeGreaterThanOrEqual(0.95 * planned - 5);
		});
		// They grow from one unit to the cap of ten, and the cap is reached and held (the job runs 15 s).
		expect(Math.min(...gaps)).toBeLessThan(2 * unit);
		expect(gaps.filter((gap) => gap >= 10 * unit - 5).length).toBeGreaterThanOrEqual(3);
		// Never more than the cap, give or take a slow answer; far fewer checks than every 0.1 s (150).
		for (const gap of gaps) expect(gap).toBeLessThanOrEqual(10 * unit + 500);
		expect(times.length).toBeLessThanOrEqual(45);
	}, 40_000);
});

describe('image downloads', () => {
	test('are public links: sent without the API key and not counted in the request budget', async () => {
		const { server } = ctx;
		// "Max Requests per Minute" 3: the submit, one status check and the result use them up. The
		// download must not wait for the next minute (past the item's Timeout of 15 s).
		const run = await runNode(server, { options: { expectedJobSeconds: 1, timeoutSeconds: 15, maxRequestsPerMinute: 3, maxRetries: 2 } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		expect(keyed(server).map((r) => r.route)).toEqual(['submit', 'status', 'result']);
		expect(server.requests.filter((r) => r.route === 'download').map((r) => r.hasApiKey)).toEqual([false]);
	});
});
