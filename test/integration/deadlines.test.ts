/**
 * Deadlines first: an item gets its status checks before its Timeout, leaving time for the result
 * and the download, whatever Expected Job Time says; and a request its deadline has passed
 * before is not sent (nothing is left to reject unobserved). Counts and outcomes only, no timings.
 */
import { FAST, nodeError, runNode, useServer, type SegmindServer } from './support';

const ctx = useServer();

/** Status checks of the only job, in ms after its submit was received. */
function checksAfterSubmit(server: SegmindServer): number[] {
	const submittedAt = server.requests.find((r) => r.route === 'submit' && !r.injected)!.at;
	return server.requests.filter((r) => r.route === 'status').map((r) => r.at - submittedAt);
}

describe("deadlines first: a job done well inside the Timeout is delivered, whatever Expected Job Time says", () => {
	test('Timeout 8 s, Expected Job Time 22 s (the default), a 1 s job: checked before the deadline and delivered', async () => {
		ctx.server.configure({ queueMs: 50, processingMs: 950 });
		const run = await runNode(ctx.server, { options: { timeoutSeconds: 8, maxRetries: 2 } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		// Its first check came by half the time before the reserve for result and download (3.2 s), not at 15.4 s or at the deadline.
		const checks = checksAfterSubmit(ctx.server);
		expect(checks.length).toBeGreaterThanOrEqual(1);
		expect(checks[0]).toBeLessThan(8000 - 1600);
		expect(ctx.server.count('result') + ctx.server.count('download')).toBeGreaterThanOrEqual(1);
	});

	// Expected Job Time far off (100 s): not even the scout's early look (at 30 s) comes before the
	// Timeout; only the deadline brings the first checks forward.
	test('Timeout 20 s, Expected Job Time 100 s, 8 items whose jobs take about 1 s: all delivered', async () => {
		ctx.server.configure({ queueMs: 50, processingMs: 950 });
		const items = Array.from({ length: 8 }, (_, n) => ({ json: { n } }));
		const run = await runNode(ctx.server, { options: { timeoutSeconds: 20, expectedJobSeconds: 100, maxRetries: 2 } }, { items });
		expect(run.error).toBeUndefined();
		expect(run.items.map((item) => item.binary?.data?.mimeType)).toEqual(Array(8).fill('image/png'));
		expect(ctx.server.jobs.size).toBe(8);
	}, 40_000);

	test('Timeout 20 s, Expected Job Time 100 s, one item after three 429s on its submit: delivered (a refused submit does not start its Timeout)', async () => {
		ctx.server.configure({ queueMs: 50, processingMs: 950 });
		ctx.server.inject('submit', { status: 429, times: 3, headers: { 'retry-after': '1' }, body: { error: 'Rate limit exceeded' } });
		const run = await runNode(ctx.server, { options: { timeoutSeconds: 20, expectedJobSeconds: 100, maxRetries: 4 } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		expect(ctx.server.requests.filter((r) => r.route === 'submit').map((r) => r.injected ?? 'ok')).toEqual([429, 429, 429, 'ok']);
		expect(ctx.server.jobs.size).toBe(1);
	}, 40_000);
});

describe('no promise rejects unobserved', () => {
	// Jest fails a test on an unhandled rejection too; the listener names it.
	const unhandled: unknown[] = [];
	const listener = (reason: unknown) => unhandled.push(reason);
	beforeAll(() => process.on('unhandledRejection', listener));
	afterAll(() => process.off('unhandledRejection', listener));

	test.each([
		['never comes', { hang: true, times: 1000 }],
		['trickles in past the Timeout', { drip: { intervalMs: 100, prefix: '{"status":' }, times: 1000 }],
	])('a status answer that %s: the item times out, and the abandoned request rejects into nothing', async (_label, fault) => {
		unhandled.length = 0;
		ctx.server.inject('status', fault);
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 2, maxRetries: 8 } });
		expect(nodeError(run).message).toBe('The Segmind job did not finish within 2 s');
		// Past the deadline nothing more is sent for the item, and nothing rejects later unobserved.
		const sent = ctx.server.count('status');
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(ctx.server.count('status')).toBe(sent);
		expect(unhandled).toEqual([]);
	});
});
