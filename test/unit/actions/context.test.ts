import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { createRunContext } from '../../../nodes/SegmindFaceToMany/actions/context';
import type { RunOptions } from '../../../nodes/SegmindFaceToMany/actions/runOptions';
import { forgetKeys } from '../../../nodes/SegmindFaceToMany/transport/budgets';

/** The Options with their defaults (Timeout 600 s). */
const DEFAULTS: RunOptions = {
	binaryPropertyOutput: 'data',
	checkCreditsFirst: false,
	expectedJobSeconds: 22,
	maxConcurrency: 0,
	maxImageSizeMb: 50,
	maxInputImageSizeMb: 10,
	maxRequestsPerMinute: 0,
	maxRetries: 0,
	minimumCredits: 0,
	output: 'binary',
	pollIntervalSeconds: 1,
	pollingMode: 'adaptive',
	timeoutSeconds: 600,
};

/** An execute context whose HTTP calls never answer (they end only when their signal aborts). */
function hangingContext() {
	const sent: IHttpRequestOptions[] = [];
	const hang = async (request: IHttpRequestOptions) => {
		sent.push(request);
		return await new Promise((_, reject) =>
			(request.abortSignal as AbortSignal | undefined)?.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' }))),
		);
	};
	const ctx = {
		getNode: () => ({ name: 'Segmind Face to Many' }),
		logger: { info: () => undefined },
		helpers: {
			httpRequest: hang,
			httpRequestWithAuthentication: async (_credential: string, request: IHttpRequestOptions) => await hang(request),
		},
	} as unknown as IExecuteFunctions;
	return { ctx, sent };
}

describe("the run's client", () => {
	beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] }));
	afterEach(() => {
		jest.useRealTimers();
		forgetKeys();
	});

	const credential = { apiKey: 'sk-context-test', baseUrl: 'https://api.segmind.com', uploadBaseUrl: 'https://workflows-api.segmind.com' };

	test('every single request ends after at most 60 s, however long the Timeout', async () => {
		const { ctx, sent } = hangingContext();
		const run = createRunContext(ctx, DEFAULTS, credential, new AbortController().signal);
		let outcome: unknown;
		void run.client.credits().then(
			() => (outcome = 'answered'),
			(error: Error) => (outcome = error.message),
		);
		await jest.advanceTimersByTimeAsync(59_999);
		expect(outcome).toBeUndefined();
		await jest.advanceTimersByTimeAsync(1);
		expect(outcome).toMatch(/no answer arrived in time/);
		expect(sent).toHaveLength(1);
		run.scheduler.close();
	});

	test('with a Timeout under 60 s, a request ends at the Timeout', async () => {
		const { ctx } = hangingContext();
		const run = createRunContext(ctx, { ...DEFAULTS, timeoutSeconds: 20 }, credential, new AbortController().signal);
		let outcome: unknown;
		void run.client.credits().then(
			() => (outcome = 'answered'),
			(error: Error) => (outcome = error.message),
		);
		await jest.advanceTimersByTimeAsync(19_999);
		expect(outcome).toBeUndefined();
		await jest.advanceTimersByTimeAsync(1);
		expect(outcome).toMatch(/no answer arrived in time/);
		run.scheduler.close();
	});
});
