/**
 * Settings → On Error → "Continue (using error output)" in n8n's engine: failed items leave
 * through the error output with their error and pairedItem, successful items through the main
 * output, and each reaches the node connected to that output.
 */
import { binaryBuffer, runWorkflow, segmindWorkflow } from '../harness/n8n-engine';
import { captureOutput, expectNoSecret, FAST, NODE, runNode, SECRET_KEY, useServer } from './support';

const ctx = useServer();

const MIXED = [
	{ json: { who: 'ada', photo: 'https://example.com/ada.jpg', prompt: 'a person' } },
	{ json: { who: 'bob', photo: 'https://example.com/bob.jpg', prompt: 'a person, nsfw' } },
	{ json: { who: 'cy', photo: 'ftp://example.com/cy.jpg', prompt: 'a person' } },
	{ json: { who: 'dee', photo: 'https://example.com/dee.jpg', prompt: 'a smiling person' } },
];
const PARAMETERS = { imageUrl: '={{ $json.photo }}', prompt: '={{ $json.prompt }}', style: 'Clay', options: FAST };

test('a mixed batch: successes leave through the main output, failures through the error output', async () => {
	const run = await runNode(ctx.server, PARAMETERS, { items: MIXED, onError: 'continueErrorOutput' });
	expect(run.error).toBeUndefined();
	expect(run.status).toBe('success');

	const main = run.output(NODE, 0);
	const failed = run.output(NODE, 1);
	expect(main.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 3 }]);
	expect(failed.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);

	// Main: the styled images, nothing of the errors.
	for (const item of main) {
		expect(item.json).toMatchObject({ status: 'COMPLETED', style: 'Clay', mime_type: 'image/png' });
		expect(item.json).not.toHaveProperty('error');
		expect((await binaryBuffer(item)).subarray(1, 4).toString()).toBe('PNG');
	}

	// Error output: the input item's fields (n8n adds them), the error message, and under `details`
	// what the user can act on (the request ID to collect or look up, the HTTP code, the advice).
	const blockedId = [...ctx.server.jobs.values()].find((job) => job.error)?.id;
	expect(blockedId).toBeDefined();
	expect(failed[0].json).toEqual({
		who: 'bob',
		photo: 'https://example.com/bob.jpg',
		prompt: 'a person, nsfw',
		error: "Segmind's content filter blocked the job (item 2 of 4)",
		details: {
			description: expect.stringMatching(/content filter blocked this job[\s\S]*Segmind said: "Content blocked/),
			httpCode: '422',
			request_id: blockedId,
			reason: 'contentBlocked',
		},
	});
	expect(failed[1].json).toEqual({
		who: 'cy',
		photo: 'ftp://example.com/cy.jpg',
		prompt: 'a person',
		error: 'Invalid "Image URL": "ftp://example.com/cy.jpg" must be an http:// or https:// URL (item 3 of 4)',
		details: { description: expect.stringMatching(/^Nothing was sent to Segmind/) },
	});
	expect(failed.every((item) => item.binary === undefined)).toBe(true);

	// The nodes on each output received exactly those items.
	expect(run.output('Succeeded').map((i) => i.json.request_id)).toEqual(main.map((i) => i.json.request_id));
	expect(run.output('Failed').map((i) => i.json.who)).toEqual(['bob', 'cy']);

	// The invalid item was never sent; the other three were, once each.
	expect(ctx.server.requests.filter((r) => r.route === 'submit').map((r) => r.body?.image)).toEqual(
		expect.arrayContaining(['https://example.com/ada.jpg', 'https://example.com/bob.jpg', 'https://example.com/dee.jpg']),
	);
	expect(ctx.server.count('submit')).toBe(3);
});

test('every item fails (credits too low): all leave through the error output, the main output is empty', async () => {
	ctx.server.configure({ credits: 0, freeCredits: 0 });
	const run = await runNode(
		ctx.server,
		{ ...PARAMETERS, options: FAST, commonOptions: { checkCreditsFirst: true } },
		{ items: MIXED.filter((i) => i.json.who !== 'cy'), onError: 'continueErrorOutput' },
	);
	expect(run.error).toBeUndefined();
	expect(run.output(NODE, 0)).toEqual([]);
	const failed = run.output(NODE, 1);
	expect(failed.map((i) => [i.json.who, i.json.error, i.pairedItem])).toEqual([
		['ada', 'Your Segmind credit balance is 0: no job was sent', { item: 0 }],
		['bob', 'Your Segmind credit balance is 0: no job was sent', { item: 1 }],
		['dee', 'Your Segmind credit balance is 0: no job was sent', { item: 2 }],
	]);
	expect(run.output('Succeeded')).toEqual([]);
	expect(run.output('Failed')).toHaveLength(3);
	expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
});

test('Get Job Result with an expired request ID leaves through the error output', async () => {
	const run = await runNode(
		ctx.server,
		{ operation: 'getResult', requestId: '={{ $json.id }}', options: FAST },
		{ items: [{ json: { id: 'c0ffee00-0000-4000-8000-000000000000' } }], onError: 'continueErrorOutput' },
	);
	expect(run.output(NODE, 0)).toEqual([]);
	expect(run.output(NODE, 1)).toEqual([
		expect.objectContaining({
			json: expect.objectContaining({
				id: 'c0ffee00-0000-4000-8000-000000000000',
				error: 'Request c0ffee00-0000-4000-8000-000000000000 expired or unknown',
				details: expect.objectContaining({ httpCode: '404', request_id: 'c0ffee00-0000-4000-8000-000000000000' }),
			}),
			pairedItem: { item: 0 },
		}),
	]);
});

test('"Continue" (regular output) is unchanged: error items stay in the main output, in item order', async () => {
	const run = await runNode(ctx.server, PARAMETERS, { items: MIXED, onError: 'continueRegularOutput' });
	const items = run.output(NODE, 0);
	expect(items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	expect(items.map((i) => typeof i.json.error)).toEqual(['undefined', 'string', 'string', 'undefined']);
	expect(run.output(NODE, 1)).toEqual([]);
	// Only what the node itself produced: no error object on the items, no input fields merged in.
	expect(items[1].json).not.toHaveProperty('who');
	expect(items[1]).not.toHaveProperty('error');
});

// Why the README says never to turn on n8n's own Retry On Fail for this node.
test.each([
	['the node fails', false],
	['Continue On Fail is on and the first item failed', true],
])("n8n's Retry On Fail re-runs the whole node when %s: every item's job is submitted again", async (_label, continueOnFail) => {
	const workflow = segmindWorkflow(PARAMETERS, { items: MIXED.filter((i) => ['bob', 'ada'].includes(i.json.who)).reverse(), continueOnFail });
	const node = workflow.nodes.find((n) => n.name === NODE);
	Object.assign(node!, { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 });
	// n8n logs each failed try: recorded (and checked for the key), not printed.
	const { value: run, written, reported } = await captureOutput(() =>
		runWorkflow(workflow, { credentials: { apiKey: SECRET_KEY, baseUrl: ctx.server.url } }),
	);
	expectNoSecret(run, written, SECRET_KEY, reported);
	// Two items, two tries: four billed jobs, where one run of the node sends two.
	expect(ctx.server.count('submit')).toBe(4);
});
