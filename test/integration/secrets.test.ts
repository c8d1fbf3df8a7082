/**
 * Secret hygiene. Every run in every integration suite goes through support.ts `runNode`, which
 * fails the test if the API key shows up in the error (message, description, context,
 * JSON.stringify, util.inspect), the task data, any output item, the whole run record, or anything
 * written to stdout/stderr/console/n8n's logger during the run. This suite checks that detector
 * itself, then drives the failure paths most likely to leak (those where n8n's HTTP helper throws
 * an error whose request config holds the x-api-key header), alone and all together under
 * Continue On Fail.
 */
import type { IDataObject } from 'n8n-workflow';

import type { RunResult } from '../harness/n8n-engine';
import { captureOutput, expectNoSecret, FAST, nodeError, NODE, runNode, SECRET_KEY, useServer, type SegmindServer } from './support';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSegmindServer } = require('../server/segmind-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholePng } = require('../server/images');

const ctx = useServer();

/** The header name only ever appears in a serialised request config. */
function expectNoRequestConfig(run: RunResult) {
	const text = JSON.stringify(run.run) + JSON.stringify(run.error ?? null);
	expect(text.toLowerCase()).not.toContain('x-api-key');
	expect((run.error as { cause?: unknown } | undefined)?.cause).toBeUndefined();
}

describe('the leak detector', () => {
	const fakeRun = (error: IDataObject | undefined, items: IDataObject[] = []) =>
		({
			error,
			status: error ? 'error' : 'success',
			run: { data: { resultData: { runData: {} } } },
			output: () => items.map((json) => ({ json })),
		}) as unknown as RunResult;

	test.each([
		['the error message', fakeRun({ message: `bad key ${SECRET_KEY}` }), ''],
		['the error description', fakeRun({ message: 'x', description: `key=${SECRET_KEY}` }), ''],
		['the error context', fakeRun({ message: 'x', context: { headers: { 'x-api-key': SECRET_KEY } } }), ''],
		['a nested cause', fakeRun({ message: 'x', cause: { config: { headers: { 'x-api-key': SECRET_KEY } } } }), ''],
		['an output item', fakeRun(undefined, [{ echo: SECRET_KEY }]), ''],
		['stdout/stderr', fakeRun(undefined), `request failed: ${SECRET_KEY}\n`],
	])('finds the key in %s', (_place, run, written) => {
		expect(() => expectNoSecret(run, written)).toThrow();
	});

	test('finds the key in an error handed to n8n\'s ErrorReporter', () => {
		expect(() => expectNoSecret(fakeRun(undefined), '', SECRET_KEY, `Error { cause: { 'x-api-key': '${SECRET_KEY}' } }`)).toThrow();
	});

	test('captures process.stdout/stderr writes and console calls', async () => {
		const { written } = await captureOutput(async () => {
			process.stdout.write('to stdout\n');
			process.stderr.write(Buffer.from('to stderr\n'));
			console.log('console.log %s', 'arg');
			console.error(new Error('console.error'));
		});
		expect(written).toContain('to stdout');
		expect(written).toContain('to stderr');
		expect(written).toContain('console.log arg');
		expect(written).toContain('console.error');
	});
});

interface Scenario {
	name: string;
	parameters: IDataObject;
	setup?: (server: SegmindServer) => void;
	items?: unknown[];
	baseUrl?: string;
	apiKey?: string;
	cancelAfterMs?: number;
}

const quick = { ...FAST, maxRetries: 0 };

const scenarios: Scenario[] = [
	{ name: '401 wrong key', parameters: { options: quick }, apiKey: 'sk-OTHER-canary-0042' },
	{ name: '401 on Get Credits', parameters: { operation: 'getCredits' }, apiKey: 'sk-OTHER-canary-0042' },
	{ name: '406 no credits', parameters: { options: quick }, setup: (s) => s.configure({ credits: 0 }) },
	{
		name: '429 on a status poll, retries exhausted',
		parameters: { options: quick },
		setup: (s) => s.inject('status', { status: 429, headers: { 'Retry-After': '0' }, times: 5 }),
	},
	{ name: '500 on submit', parameters: { options: quick }, setup: (s) => s.inject('submit', { status: 500, times: 5 }) },
	{ name: 'submit hangs (request timeout)', parameters: { options: { ...quick, timeoutSeconds: 1 } }, setup: (s) => s.inject('submit', { hang: true }) },
	{ name: 'submit connection reset', parameters: { options: quick }, setup: (s) => s.inject('submit', { reset: true }) },
	{
		name: 'status poll hangs (request timeout)',
		parameters: { options: { ...quick, timeoutSeconds: 1 } },
		setup: (s) => s.inject('status', { hang: true, times: 5 }),
	},
	{ name: 'connection refused', parameters: { options: quick }, baseUrl: 'http://127.0.0.1:9' },
	{
		name: 'upload fails (binary input)',
		parameters: { imageSource: 'binary', options: quick },
		items: [{ file: 'fixtures/face.png' }],
		setup: (s) => s.inject('upload', { status: 500, body: { error: 'storage down' } }),
	},
	{
		name: 'upload hangs (binary input)',
		parameters: { imageSource: 'binary', options: { ...quick, timeoutSeconds: 1 } },
		items: [{ file: 'fixtures/face.png' }],
		setup: (s) => s.inject('upload', { hang: true }),
	},
	{ name: 'sync answered 500', parameters: { operation: 'generateSync', options: quick }, setup: (s) => s.inject('sync', { status: 500 }) },
	{ name: 'sync connection reset', parameters: { operation: 'generateSync', options: quick }, setup: (s) => s.inject('sync', { reset: true }) },
	// (403, not 5xx: Get Credits has no Options, so a 5xx would be retried 4 times with the 1 s backoff)
	{ name: 'credits answered 403', parameters: { operation: 'getCredits' }, setup: (s) => s.inject('credits', { status: 403 }) },
	{ name: 'FAILED job', parameters: { prompt: 'nsfw', options: quick } },
	{ name: 'expired request (404)', parameters: { operation: 'getResult', requestId: 'abcdef-123456', options: quick } },
	{
		name: 'download 404',
		parameters: { options: quick },
		setup: (s) => s.configure({ output: { status: 404, body: 'gone', contentType: 'text/plain' } }),
	},
	{ name: 'job timeout', parameters: { options: { ...quick, timeoutSeconds: 1 } }, setup: (s) => s.configure({ processingMs: 60_000 }) },
	{
		name: 'bad parameter',
		parameters: { seed: 1.5, options: quick },
	},
	{
		name: 'user stops mid-poll',
		parameters: { options: quick },
		setup: (s) => s.inject('status', { hang: true }),
		cancelAfterMs: 500,
	},
];

describe.each([false, true])('with Continue On Fail %s, the key is nowhere', (continueOnFail) => {
	test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
		scenario.setup?.(ctx.server);
		const run = await runNode(ctx.server, scenario.parameters, {
			items: scenario.items,
			continueOnFail,
			apiKey: scenario.apiKey,
			baseUrl: scenario.baseUrl,
			cancelAfterMs: scenario.cancelAfterMs,
		});
		// The scenario really failed (so the error paths were exercised)…
		if (continueOnFail && !scenario.cancelAfterMs) {
			expect(run.error).toBeUndefined();
			expect(run.items).toHaveLength(1);
			expect(typeof run.items[0].json.error).toBe('string');
		} else {
			expect(nodeError(run).message).toMatch(/./);
		}
		// …and (besides runNode's own check for the key) no request config was serialised anywhere,
		// nor kept on the error instance n8n reports.
		expectNoRequestConfig(run);
		expect(run.reported.toLowerCase()).not.toContain('x-api-key');
		const taskError = run.run.data.resultData.runData[NODE]?.[0]?.error as unknown as IDataObject | undefined;
		if (taskError) expect(JSON.stringify(taskError)).not.toContain(SECRET_KEY);
	});
});

test('all failure kinds at once under Continue On Fail: every error item is key-free', async () => {
	ctx.server.inject('submit', { when: (e: { body?: IDataObject }) => e.body?.prompt === 'rate', status: 429, times: 5 });
	ctx.server.inject('submit', { when: (e: { body?: IDataObject }) => e.body?.prompt === 'hang', hang: true });
	ctx.server.inject('submit', { when: (e: { body?: IDataObject }) => e.body?.prompt === 'reset', reset: true });
	ctx.server.inject('submit', { when: (e: { body?: IDataObject }) => e.body?.prompt === 'broke', status: 406 });
	const prompts = ['a person', 'rate', 'hang', 'reset', 'broke', 'nsfw'];
	const run = await runNode(
		ctx.server,
		{ prompt: '={{ $json.prompt }}', options: { ...quick, timeoutSeconds: 4 } },
		{ items: prompts.map((prompt) => ({ json: { prompt } })), continueOnFail: true },
	);
	expect(run.error).toBeUndefined();
	expect(run.items[0].json).toMatchObject({ status: 'COMPLETED' });
	expect(run.items).toHaveLength(prompts.length);
	expect(run.items.slice(1).every((item) => typeof item.json.error === 'string')).toBe(true);
	expectNoRequestConfig(run);
});

test('the output image is fetched from its public host without the key', async () => {
	const cdn: SegmindServer = createSegmindServer({ apiKey: 'cdn-does-not-need-one' });
	await cdn.start();
	try {
		const png = wholePng();
		cdn.configure({ output: { status: 200, body: png, contentType: 'image/png' } });
		ctx.server.inject('result', {
			status: 200,
			body: (e: { path: string }) => ({
				status: 'COMPLETED',
				request_id: e.path.split('/')[3],
				output: `${cdn.url}/outputs/elsewhere.png`,
			}),
		});
		const run = await runNode(ctx.server, { options: FAST, commonOptions: { output: 'both' } });
		expect(run.error).toBeUndefined();
		expect(run.items[0].json.output_url).toBe(`${cdn.url}/outputs/elsewhere.png`);
		expect(cdn.requests.map((r) => [r.route, r.hasApiKey])).toEqual([['download', false]]);
		// The API host got the key on every call it received.
		expect(ctx.server.requests.length).toBeGreaterThan(0);
		expect(ctx.server.requests.every((r) => r.apiKeyValid)).toBe(true);
	} finally {
		await cdn.stop();
	}
});

test('Get Job Result never sends the key to a status URL on another host', async () => {
	const elsewhere: SegmindServer = createSegmindServer({ apiKey: 'collector' });
	await elsewhere.start();
	try {
		const url = `${elsewhere.url}/v2/requests/0b5a8d1e-0000-4000-8000-123456789abc/status`;
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: '={{ $json.status_url }}', options: FAST }, {
			items: [{ json: { status_url: url } }],
		});
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(
			`Invalid "Request ID or Status URL": "${url}" is not on the Segmind API host of the credential (${ctx.server.url}); give the request ID, or a status URL on that host`,
		);
		expect(elsewhere.requests).toEqual([]);
		expect(ctx.server.requests).toEqual([]);
	} finally {
		await elsewhere.stop();
	}
});
