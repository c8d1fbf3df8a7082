import { FAST, nodeError, runNode, useServer } from './support';

const ctx = useServer();

describe('no promise rejects unobserved', () => {
	const unhandled: unknown[] = [];
	const listener = (reason: unknown) => unhandled.push(reason);
	beforeAll(() => process.on('unhandledRejection', listener));
	afterAll(() => process.off('unhandledRejection', listener));

	test.each([
		['never comes', { hang: true, times: 1000 }],
		['trickles in past the Timeout', { drip: { intervalMs: 100, prefix: '{"status":' }, times: 1000 }],
	])('a status answer that %s: the item times out, nothing rejects unobserved', async (_label, fault) => {
		unhandled.length = 0;
		ctx.server.inject('status', fault);
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 2, maxRetries: 8 } });
		expect(nodeError(run).message).toBe('The Segmind job did not finish within 2 s');
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(unhandled).toEqual([]);
	});

	test('x', async () => {
		unhandled.length = 0;
		ctx.server.configure({ processingMs: 5000 });
		const run = await runNode(ctx.server, { options: { ...FAST, expectedJobSeconds: 22, timeoutSeconds: 2, maxRetries: 8 } });
		console.log(nodeError(run).message, ctx.server.requests.map((r) => r.route));
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(unhandled).toEqual([]);
	});
});
