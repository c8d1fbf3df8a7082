/**
 * Credits up front ("Check Credits First" / "Minimum Credits") and the `cost` / `remaining_credits`
 * fields on every output item, in n8n's engine against the local Segmind server.
 */
import { FAST, nodeError, runNode, useServer } from './support';

const ctx = useServer();

const photos = (n: number) => Array.from({ length: n }, (_, i) => ({ json: { photo: `https://example.com/face-${i}.jpg` } }));
const BATCH = { imageUrl: '={{ $json.photo }}' };
/** "Check Credits First" on (in Options), the suites' fast polling (in Advanced Options). */
const CHECK = { options: FAST, commonOptions: { checkCreditsFirst: true } };
const checkAtLeast = (minimumCredits: number) => ({ options: FAST, commonOptions: { checkCreditsFirst: true, minimumCredits } });

describe('Check Credits First', () => {
	test('reads the balance once, before any upload or job, then runs the batch', async () => {
		const run = await runNode(
			ctx.server,
			{ imageSource: 'binary', ...CHECK },
			{ items: [{ file: 'fixtures/face.png' }, { file: 'fixtures/face.png' }, { file: 'fixtures/face.png' }] },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.json.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
		const routes = ctx.server.requests.map((r) => r.route);
		expect(routes[0]).toBe('credits');
		expect(ctx.server.count('credits')).toBe(1);
		expect(ctx.server.count('upload')).toBe(3);
		expect(ctx.server.count('submit')).toBe(3);
	});

	test('a zero balance fails the run at once with the balance, and nothing else is sent', async () => {
		ctx.server.configure({ credits: 0, freeCredits: 0 });
		const run = await runNode(ctx.server, { ...BATCH, ...CHECK }, { items: photos(3) });
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Your Segmind credit balance is 0: no job was sent');
		expect(error.description).toBe(
			'"Check Credits First" read the balance once before the batch (credits 0 + free credits 0) and stopped before any upload or job. Top up your credits in the Segmind console, then run the workflow again.',
		);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});

	test('a balance below "Minimum Credits" fails the same way, naming the threshold', async () => {
		ctx.server.configure({ credits: 0.5, freeCredits: 0.25 });
		const run = await runNode(ctx.server, { ...BATCH, ...checkAtLeast(1) }, { items: photos(2) });
		const error = nodeError(run);
		expect(error.message).toBe('Your Segmind credit balance is 0.75, below the 1 set in "Minimum Credits": no job was sent');
		expect(error.description).toContain('(credits 0.5 + free credits 0.25)');
		expect(error.description).toContain('or lower "Minimum Credits"');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});

	test('a balance at "Minimum Credits" runs', async () => {
		ctx.server.configure({ credits: 1, freeCredits: 0 });
		const run = await runNode(ctx.server, { operation: 'submit', ...checkAtLeast(1) });
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits', 'submit']);
	});

	test('applies to Sync Generate Image (Legacy) too', async () => {
		ctx.server.configure({ credits: 0, freeCredits: 0 });
		const run = await runNode(ctx.server, { operation: 'generateSync', ...CHECK });
		expect(nodeError(run).message).toBe('Your Segmind credit balance is 0: no job was sent');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});

	test('with Continue On Fail, every item that would have been sent gets the error; bad items keep their own', async () => {
		ctx.server.configure({ credits: 0, freeCredits: 0 });
		const run = await runNode(
			ctx.server,
			{ ...BATCH, seed: '={{ $json.seed }}', ...CHECK },
			{ continueOnFail: true, items: [{ json: { photo: 'https://example.com/a.jpg', seed: 1 } }, { json: { photo: 'https://example.com/b.jpg', seed: 1.5 } }, { json: { photo: 'https://example.com/c.jpg', seed: 3 } }] },
		);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.json.error)).toEqual([
			'Your Segmind credit balance is 0: no job was sent',
			'Invalid "Seed": 1.5 must be a whole number between -1 and 4294967295 (item 2 of 3)',
			'Your Segmind credit balance is 0: no job was sent',
		]);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});

	test('no balance read when every item already failed validation', async () => {
		const run = await runNode(ctx.server, { seed: 1.5, ...CHECK }, { continueOnFail: true, items: photos(2) });
		expect(run.items).toHaveLength(2);
		expect(run.items.every((i) => typeof i.json.error === 'string')).toBe(true);
		expect(ctx.server.requests).toEqual([]);
	});

	test('a failing balance read (wrong key) stops the run before any job', async () => {
		const run = await runNode(ctx.server, { ...BATCH, ...CHECK }, { items: photos(2), apiKey: 'sk-wrong-key-for-credits-1234' });
		const error = nodeError(run);
		expect(error.message).toBe('Segmind rejected the API key (401): it is missing or invalid');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});

	test('off by default: no balance read', async () => {
		const run = await runNode(ctx.server, { operation: 'submit', options: FAST });
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
	});
});

describe('cost and remaining_credits on every output item', () => {
	test.each(['binary', 'url', 'both'])('Generate (Output %s): lifted from the result metrics', async (output) => {
		ctx.server.configure({ credits: 5 });
		const run = await runNode(ctx.server, { ...BATCH, options: FAST, commonOptions: { output } }, { items: photos(2) });
		expect(run.error).toBeUndefined();
		const remaining = run.items.map((i) => i.json.remaining_credits as number);
		expect(run.items.map((i) => i.json.cost)).toEqual([0.0246, 0.0246]);
		// Each result reports the balance after the jobs submitted so far.
		for (const value of remaining) expect([4.9754, 4.9508]).toContain(value);
		expect(run.items[0].json.metrics).toMatchObject({ cost: 0.0246 });
	});

	test('Get Job Result', async () => {
		const submitted = await runNode(ctx.server, { operation: 'submit', options: FAST });
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: submitted.items[0].json.request_id as string, options: FAST });
		expect(run.items[0].json).toMatchObject({ cost: 0.0246, remaining_credits: 9.9754 });
	});

	test('Sync Generate Image (Legacy): from the x-cost and x-remaining-credits headers', async () => {
		const run = await runNode(ctx.server, { operation: 'generateSync', options: FAST });
		expect(run.items[0].json).toMatchObject({ cost: 0.0246, remaining_credits: 9.9754 });
	});

	test('null when Segmind does not report them (every job item has the same fields)', async () => {
		ctx.server.inject('result', {
			status: 200,
			body: (e: { path: string }) => ({
				status: 'COMPLETED',
				request_id: e.path.split('/')[3],
				output: `${ctx.server.url}/outputs/${e.path.split('/')[3]}.png`,
				metrics: { inference_time: 1 },
			}),
		});
		const run = await runNode(ctx.server, { options: FAST });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json).toMatchObject({ cost: null, remaining_credits: null });
	});
});
