/**
 * The run-level request budget and adaptive polling, in n8n's engine against the local server.
 * These check behaviour (who waits for what, how many requests), not speed: that is `npm run bench`.
 */
import { FAST, runNode, useServer, type SegmindServer } from './support';

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
		const run = await runNode(server, { options: { ...FAST, maxRetries: 4, maxConcurrency: 6 } }, { items });

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
		const run = await runNode(server, { options: { ...FAST, maxConcurrency: 3, timeoutSeconds: 120 } }, { items, cancelAfterMs: 1500 });
		expect(run.status).toBe('canceled');
		expect(run.elapsedMs).toBeLessThan(10_000);
		// One 429 paused all three: no other status check was sent after it.
		const statuses = server.requests.filter((r) => r.route === 'status');
		expect(statuses).toHaveLength(1);
	});
});

describe('adaptive polling', () => {
	/** Status checks per job, in submit order. */
	function checksPerJob(server: SegmindServer): number[] {
		const ids = [...server.jobs.values()].sort((a, b) => a.createdAt - b.createdAt).map((job) => job.id);
		return ids.map((id) => server.requests.filter((r) => r.route === 'status' && r.path.includes(id)).length);
	}

	async function runBatch(pollingMode: string) {
		const { server } = ctx;
		server.reset();
		server.configure({ queueMs: 100, processingMs: 900 });
		const items = Array.from({ length: 4 }, (_, n) => ({ json: { n } }));
		const run = await runNode(server, { options: { ...FAST, pollingMode, maxConcurrency: 1 } }, { items });
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.binary?.data?.mimeType)).toEqual(Array(4).fill('image/png'));
		return checksPerJob(server);
	}

	test('learns how long jobs take and checks later jobs when they are likely done', async () => {
		const fixed = await runBatch('fixed');
		const adaptive = await runBatch('adaptive');
		// Fixed checks a 1 s job every 0.1 s: about ten times.
		for (const checks of fixed) expect(checks).toBeGreaterThanOrEqual(8);
		// Adaptive, with nothing learned, checks at growing intervals: about five times.
		expect(adaptive[0]).toBeLessThanOrEqual(7);
		// Later jobs are first checked near the learned duration: a few checks each.
		for (const checks of adaptive.slice(1)) expect(checks).toBeLessThanOrEqual(3);
		const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
		expect(sum(adaptive) * 2).toBeLessThan(sum(fixed));
	});

	test('intervals grow and stop growing at ten poll intervals', async () => {
		const { server } = ctx;
		server.configure({ queueMs: 100, processingMs: 4000 });
		const run = await runNode(server, { options: { ...FAST, pollIntervalSeconds: 0.1 } });
		expect(run.error).toBeUndefined();
		const times = server.requests.filter((r) => r.route === 'status').map((r) => r.at);
		const gaps = times.slice(1).map((at, i) => at - times[i]);
		// 4 s at 0.1 s fixed would be ~40 checks; growing intervals need about nine.
		expect(times.length).toBeLessThanOrEqual(11);
		for (let i = 2; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] - 30);
		expect(Math.max(...gaps)).toBeLessThanOrEqual(1000 + 150);
	});
});
