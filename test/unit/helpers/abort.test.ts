import { abortableSleep, ExecutionCancelledError, raceAbort } from '../../../nodes/SegmindFaceToMany/helpers/abort';
import { DEFAULT_RETRY_POLICY } from '../../../nodes/SegmindFaceToMany/transport/backoff';
import { ItemClock } from '../../../nodes/SegmindFaceToMany/transport/deadline';
import { sendWithRetry, type HttpCall } from '../../../nodes/SegmindFaceToMany/transport/http';

/** Rejections nobody handled while `run` ran (and a moment after). */
async function unhandledDuring(run: () => Promise<unknown>): Promise<unknown[]> {
	const seen: unknown[] = [];
	const listener = (reason: unknown) => seen.push(reason);
	process.on('unhandledRejection', listener);
	try {
		await run().catch(() => undefined);
		await new Promise((resolve) => setTimeout(resolve, 50));
	} finally {
		process.off('unhandledRejection', listener);
	}
	return seen;
}

/** What an HTTP call does when its signal aborts (axios): it rejects, a little later. */
const rejectsOnAbort: HttpCall = async (request) =>
	await new Promise((_, reject) => {
		const signal = request.abortSignal as AbortSignal | undefined;
		const fail = () => setTimeout(() => reject(Object.assign(new Error('canceled'), { code: 'ERR_CANCELED' })), 5);
		if (signal?.aborted) fail();
		signal?.addEventListener('abort', fail, { once: true });
	});

describe('every race has its loser handled', () => {
	test('raceAbort: work that rejects after the signal won (or had already won) rejects into nothing', async () => {
		const late = () => new Promise((_, reject) => setTimeout(() => reject(new Error('answered too late')), 10));
		const stopped = new AbortController();
		stopped.abort();
		expect(await unhandledDuring(async () => await raceAbort(late(), stopped.signal))).toEqual([]);
		const stop = new AbortController();
		setTimeout(() => stop.abort(), 1);
		expect(await unhandledDuring(async () => await raceAbort(late(), stop.signal))).toEqual([]);
		await expect(raceAbort(late(), stopped.signal)).rejects.toBeInstanceOf(ExecutionCancelledError);
	});

	test('abortableSleep after a Stop: nothing rejects unobserved (n8n 2.34+ sleep rejects on an aborted signal)', async () => {
		const stopped = new AbortController();
		stopped.abort();
		expect(await unhandledDuring(async () => await abortableSleep(1000, stopped.signal))).toEqual([]);
	});

	test("a request whose item deadline passed before it could be sent is not sent, and nothing rejects unobserved", async () => {
		const clock = new ItemClock(10);
		clock.start();
		await new Promise((resolve) => setTimeout(resolve, 20));
		let calls = 0;
		const http: HttpCall = async (request, authenticated) => {
			calls++;
			return await rejectsOnAbort(request, authenticated);
		};
		const send = async () =>
			await sendWithRetry(http, { method: 'GET', url: 'https://api.segmind.com/v2/requests/x/status' }, { authenticated: true, retry: 'idempotent', timeoutMs: 5000, itemClock: clock }, DEFAULT_RETRY_POLICY);
		expect(await unhandledDuring(send)).toEqual([]);
		await expect(send()).rejects.toMatchObject({ code: 'EITEMDEADLINE' });
		expect(calls).toBe(0);
	});
});
