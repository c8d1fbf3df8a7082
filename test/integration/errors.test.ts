/**
 * Every error a user can act on, end to end in n8n's engine against the local Segmind server:
 * what the user sees (error class, message, description, httpCode, request id) and what the
 * server saw (requests per route). Every run also checks the API key leaked nowhere (support.ts).
 */
import { FAST, nodeError, onlyJobId, runNode, useServer } from './support';

const ctx = useServer();

describe('bad parameters', () => {
	test('a bad field fails as NodeOperationError naming it, and nothing is sent', async () => {
		const run = await runNode(ctx.server, { promptStrength: 25, options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Invalid "Prompt Strength (CFG)": 25 must be between 0 and 20');
		expect(error.description).toMatch(/Nothing was sent to Segmind/);
		expect(ctx.server.requests).toEqual([]);
	});

	test('one bad item among good ones stops the run before any request (no partial spend)', async () => {
		const run = await runNode(
			ctx.server,
			{ seed: '={{ $json.seed }}', options: FAST },
			{ items: [{ json: { seed: 1 } }, { json: { seed: 2 } }, { json: { seed: -5 } }] },
		);
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('Invalid "Seed": -5 must be between -1 and 4294967295 (item 3 of 3)');
		expect(error.context.itemIndex).toBe(2);
		expect(ctx.server.requests).toEqual([]);
	});
});

describe('401: bad or missing API key', () => {
	test('a wrong key fails with 401 and tells where to fix the key; the submit is not retried', async () => {
		const run = await runNode(ctx.server, { options: FAST }, { apiKey: 'sk-wrong-key-Q2p9-canary' });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe('Segmind rejected the API key (401): it is missing or invalid');
		expect(error.description).toMatch(/API key in your Segmind API credential/);
		expect(error.description).toContain('Invalid API key');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
		expect(ctx.server.requests[0].apiKeyValid).toBe(false);
		expect(ctx.server.jobs.size).toBe(0);
	});

	test('an empty key fails with 401 "missing"', async () => {
		const run = await runNode(ctx.server, { options: FAST }, { apiKey: '' });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/missing or invalid/);
		expect(error.description).toContain('API key is missing');
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count()).toBe(1);
	});

	test('Get Credits with a wrong key fails with 401 (a credential check users rely on)', async () => {
		const run = await runNode(ctx.server, { operation: 'getCredits' }, { apiKey: 'sk-wrong-key-Q2p9-canary' });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.message).toMatch(/rejected the API key/);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['credits']);
	});
});

describe('406: insufficient credits', () => {
	test('says so in plain words and passes the server message on; no retry, no job', async () => {
		ctx.server.configure({ credits: 0.01 });
		const run = await runNode(ctx.server, { options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('406');
		expect(error.message).toBe('Insufficient Segmind credits to run this job (406)');
		expect(error.description).toContain('Insufficient credits. Your balance is 0.0100 and this request needs 0.0246.');
		expect(error.description).toMatch(/Top up your credits/);
		expect(error.context.server_error).toContain('Your balance is 0.0100');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit']);
		expect(ctx.server.jobs.size).toBe(0);
	});
});

describe('FAILED jobs', () => {
	const expectFailed = (run: Awaited<ReturnType<typeof runNode>>, id: string, serverText: string, title?: string) => {
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('422');
		// A known reason gets a plain title; the server's words and the request id follow below it.
		expect(error.message).toBe(title ?? `The Segmind job failed: ${serverText}`);
		if (title) expect(error.description).toContain(`Segmind said: "${serverText}". Request ID: ${id}.`);
		expect(error.context.request_id).toBe(id);
		expect(error.context.server_error).toBe(serverText);
		// Final: one submit, no result download.
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count('download')).toBe(0);
	};

	test('FAILED served as 422 carries the server error text and the request id', async () => {
		ctx.server.configure({ failJob: 'Prompt is Mandatory and must be string' });
		const run = await runNode(ctx.server, { options: FAST });
		const id = onlyJobId(ctx.server);
		expectFailed(run, id, 'Prompt is Mandatory and must be string');
		// FAILED is terminal: the poll that saw it is the last one.
		const last = ctx.server.requests[ctx.server.requests.length - 1];
		expect(last.route).toBe('status');
	});

	test('FAILED served under HTTP 200 is still a failure, not a pending job', async () => {
		ctx.server.configure({ failJob: 'Face not detected in the input image', failedStatus: 200 });
		const run = await runNode(ctx.server, { options: FAST });
		expectFailed(run, onlyJobId(ctx.server), 'Face not detected in the input image', 'Segmind found no face in the photo');
	});

	test('a content-safety block (prompt "nsfw") reports the server text and request id', async () => {
		const run = await runNode(ctx.server, { prompt: 'nsfw portrait', options: FAST });
		const id = onlyJobId(ctx.server);
		expectFailed(run, id, 'Content blocked: the request was flagged by the safety filter', "Segmind's content filter blocked the job");
		expect(nodeError(run).description).toMatch(/^Segmind's content filter blocked this job\./);
	});

	test('Sync Generate Image (Legacy) answered 422 passes the server reason on', async () => {
		const run = await runNode(ctx.server, { operation: 'generateSync', prompt: 'nsfw', options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('422');
		expect(error.message).toBe("Segmind's content filter blocked the job");
		expect(error.description).toContain('Segmind said: "Content blocked: the request was flagged by the safety filter".');
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['sync']);
	});
});

describe('404 while polling', () => {
	test('is "request <id> expired or unknown", final at once (not retried)', async () => {
		ctx.server.inject('status', {
			status: 404,
			body: (entry: { path: string }) => ({ error: `Request ${entry.path.split('/')[3]} not found` }),
		});
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 3 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe(`Request ${id} expired or unknown`);
		expect(error.description).toMatch(/1 hour/);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit', 'status']);
	});

	test('Get Job Result on an unknown id says expired or unknown', async () => {
		const id = '0b5a8d1e-0000-4000-8000-123456789abc';
		const run = await runNode(ctx.server, { operation: 'getResult', requestId: id, options: FAST });
		const error = nodeError(run);
		expect(error.httpCode).toBe('404');
		expect(error.message).toBe(`Request ${id} expired or unknown`);
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['status']);
	});
});

describe('429 (and 5xx on GETs) are retried before failing', () => {
	test('429 on every submit: retried maxRetries times, then a rate-limit error; no job', async () => {
		ctx.server.inject('submit', { status: 429, body: { error: 'Rate limit exceeded' }, times: 5 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('429');
		expect(error.message).toBe('Segmind rate limit reached while submitting the job (429), still after 1 retries');
		expect(error.description).toMatch(/Max Jobs in Flight/);
		expect(error.description).toContain('Rate limit exceeded');
		expect(ctx.server.count('submit')).toBe(2);
		expect(ctx.server.jobs.size).toBe(0);
	});

	test('5xx on a submit: never re-sent (a job may exist), the error says it may be billed', async () => {
		ctx.server.inject('submit', { status: 500, body: { error: 'Internal error' }, times: 5 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } });
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('500');
		expect(error.message).toBe('The job was sent to Segmind but Segmind answered HTTP 500: a job may have been created and billed');
		expect(error.description).toMatch(/Segmind console/);
		expect(ctx.server.count('submit')).toBe(1);
	});

	test('5xx on every status poll after a 2xx submit: retried, fails naming the job, never re-POSTs', async () => {
		ctx.server.inject('status', { status: 503, body: '<html><body>Service Unavailable</body></html>', times: 10 });
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('503');
		expect(error.message).toBe('Segmind had a server error while checking the job status (HTTP 503), still after 1 retries');
		expect(error.context.request_id).toBe(id);
		expect(error.description).toContain(`The job ${id} may still complete: use the Get Job Result operation`);
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count('status')).toBe(2);
	});
});

describe('timeout', () => {
	test('names the request id and the Get Job Result operation; one POST only', async () => {
		ctx.server.configure({ processingMs: 60_000 });
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 1, pollIntervalSeconds: 0.2 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe('The Segmind job did not finish within 1 s');
		// The Timeout may end the wait between checks or during one (then its outcome is named too).
		expect(error.description).toMatch(new RegExp(`^Job ${id} \\(last status: (QUEUED|PROCESSING)(; the last check failed: [^)]*)?\\) is still running`));
		expect(error.description).toContain(`Get Job Result operation and request ID ${id}`);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count('status')).toBeGreaterThanOrEqual(2);
		expect(ctx.server.count('result')).toBe(0);
	});
});

describe('timeout while the status checks keep failing', () => {
	// "Timeout (Seconds)" bounds the wait even when Segmind's status endpoint is down: the user gets
	// the timeout error with the request id, not a retry error long after the timeout passed.
	test.each([
		['answered 503', { status: 503, body: '<html>busy</html>', times: 1000 }, 'the last check failed: HTTP 503)'],
		['hanging', { hang: true, times: 1000 }, 'no answer arrived in time)'],
	])('status %s: the timeout error names the request id and Get Result', async (_label, fault, lastCheck) => {
		ctx.server.inject('status', fault);
		const run = await runNode(ctx.server, { options: { ...FAST, timeoutSeconds: 2, maxRetries: 8 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toBe('The Segmind job did not finish within 2 s');
		expect(error.description).toMatch(new RegExp(`^Job ${id} \\(last status: `));
		expect(error.description).toContain(lastCheck);
		expect(error.description).toContain(`Get Job Result operation and request ID ${id}`);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.count('submit')).toBe(1);
	});
});

describe('Continue On Fail', () => {
	test('the failing item becomes an error item, the others succeed, order and pairedItem kept', async () => {
		const run = await runNode(
			ctx.server,
			{ prompt: '={{ $json.prompt }}', style: '={{ $json.style }}', options: FAST },
			{
				items: [
					{ json: { prompt: 'a person', style: 'Clay' } },
					{ json: { prompt: 'nsfw', style: 'Toy' } },
					{ json: { prompt: 'a person', style: 'Emoji' } },
				],
				continueOnFail: true,
			},
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(3);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(run.items[0].json.style).toBe('Clay');
		expect(run.items[2].json.style).toBe('Emoji');
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		expect(run.items[2].binary?.data?.mimeType).toBe('image/png');
		const failedId = [...ctx.server.jobs.values()].find((j) => j.body.prompt === 'nsfw')!.id;
		expect(run.items[1].binary).toBeUndefined();
		expect(run.items[1].json).toMatchObject({
			error: "Segmind's content filter blocked the job (item 2 of 3)",
			httpCode: '422',
			request_id: failedId,
		});
		expect(ctx.server.count('submit')).toBe(3);
	});
});

describe('never a second POST after a 2xx submit', () => {
	test.each([
		['the result GET keeps failing', 'result', { status: 502, body: '<html>Bad Gateway</html>', times: 10 }],
		['the status poll connection keeps resetting', 'status', { reset: true, times: 10 }],
		['the output download keeps failing', 'download', { status: 500, body: 'oops', times: 10 }],
	])('%s: the item fails, the server saw exactly one POST', async (_label, route, fault) => {
		ctx.server.inject(route, fault);
		const run = await runNode(ctx.server, { options: { ...FAST, maxRetries: 1 } });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.message).toMatch(/./);
		expect(error.context.request_id).toBe(id);
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count(route)).toBe(2);
	});
});

describe('plain advice for known failure texts', () => {
	const NO_FACE = 'Exception: Reference Image: No face detected.';
	const FAILED_DESCRIPTION = /The job ran and Segmind reported FAILED/;

	test('"no face detected": a plain title; the advice once, then the server text and request id', async () => {
		ctx.server.configure({ failJob: NO_FACE });
		const run = await runNode(ctx.server, { options: FAST });
		const id = onlyJobId(ctx.server);
		const error = nodeError(run);
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('422');
		expect(error.message).toBe('Segmind found no face in the photo');
		expect(error.description).toMatch(/^Segmind found no face in the photo\. Use a clear, front-facing photo of one real person/);
		expect(error.description).toContain(`Segmind said: "${NO_FACE}". Request ID: ${id}.`);
		expect(error.description).not.toMatch(FAILED_DESCRIPTION);
		expect(error.context.request_id).toBe(id);
		expect(error.context.server_error).toBe(NO_FACE);
		expect(error.context.failure_reason).toBe('noFace');
		expect(ctx.server.count('submit')).toBe(1);
	});

	test('Continue On Fail: the error item carries `reason`, the message, the advice and the request id', async () => {
		ctx.server.configure({ failJob: (body: { prompt?: string }) => (body.prompt === 'no face here' ? NO_FACE : null) });
		const run = await runNode(
			ctx.server,
			{ prompt: '={{ $json.prompt }}', options: FAST },
			{ items: [{ json: { prompt: 'a person' } }, { json: { prompt: 'no face here' } }], continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(2);
		expect(run.items[0].json.reason).toBeUndefined();
		expect(run.items[0].binary?.data?.mimeType).toBe('image/png');
		const failedId = [...ctx.server.jobs.values()].find((j) => j.body.prompt === 'no face here')!.id;
		expect(run.items[1].json).toMatchObject({
			error: 'Segmind found no face in the photo (item 2 of 2)',
			httpCode: '422',
			request_id: failedId,
			reason: 'noFace',
		});
		expect(run.items[1].json.description).toMatch(/^Segmind found no face in the photo\./);
	});

	test('the content-safety block gets the content advice and reason contentBlocked', async () => {
		const run = await runNode(ctx.server, { prompt: 'nsfw portrait', options: FAST });
		const error = nodeError(run);
		expect(error.message).toBe("Segmind's content filter blocked the job");
		expect(error.description).toMatch(/^Segmind's content filter blocked this job\./);
		expect(error.context.failure_reason).toBe('contentBlocked');
	});

	test('an unknown failure text: message and description as before, no reason', async () => {
		ctx.server.configure({ failJob: 'CUDA out of memory. Tried to allocate 2.00 GiB' });
		const run = await runNode(ctx.server, { options: FAST }, { continueOnFail: true });
		const id = onlyJobId(ctx.server);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		expect(run.items[0].json).toEqual({
			error: 'The Segmind job failed: CUDA out of memory. Tried to allocate 2.00 GiB',
			description:
				`The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters. Request ID: ${id}.`,
			httpCode: '422',
			request_id: id,
		});
	});
});
