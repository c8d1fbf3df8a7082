import { backoffDelayMs, DEFAULT_RETRY_POLICY, rateLimitDelayMs } from '../../../nodes/SegmindFaceToMany/transport/backoff';
import { ItemClock } from '../../../nodes/SegmindFaceToMany/transport/deadline';
import { sendWithRetry } from '../../../nodes/SegmindFaceToMany/transport/http';
import type { RequestScheduler, Ticket } from '../../../nodes/SegmindFaceToMany/transport/scheduler';
import { toTransportError } from '../../../nodes/SegmindFaceToMany/transport/transportError';

describe('retry timing', () => {
	it('doubles the backoff from 1 s and caps it at 30 s', () => {
		const mid = () => 1; // jitter at its top: full delay
		expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(a, DEFAULT_RETRY_POLICY, mid))).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000,
		]);
		expect(backoffDelayMs(0, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
	});

	it('reads Retry-After in seconds and as a date, and x-rate-limit-reset-at-utc', () => {
		const now = Date.parse('2026-11-25T12:00:00Z');
		expect(rateLimitDelayMs({ 'retry-after': '3' }, now)).toBe(3000);
		expect(rateLimitDelayMs({ 'retry-after': 'Wed, 25 Nov 2026 12:00:05 GMT' }, now)).toBe(5000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': '2026-11-25T12:00:07Z' }, now)).toBe(7000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': '2026-11-25 12:00:02' }, now)).toBe(2000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': String(now / 1000 + 4) }, now)).toBe(4000);
		expect(rateLimitDelayMs({ 'retry-after': '1', 'x-rate-limit-reset-at-utc': '2026-11-25T12:00:06Z' }, now)).toBe(6000);
		expect(rateLimitDelayMs({}, now)).toBeUndefined();
	});
});

describe('connection failures', () => {
	it('knows which failures surely never reached the server (safe to re-POST)', () => {
		const refused = toTransportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
		expect(refused.neverSent).toBe(true);
		const reset = toTransportError(new Error('socket hang up'));
		expect([reset.code, reset.neverSent]).toEqual(['ECONNRESET', false]);
		const timeout = toTransportError({ message: 'wrapped', cause: { code: 'ECONNABORTED', message: 'timeout of 3000ms exceeded' } });
		expect([timeout.code, timeout.neverSent]).toEqual(['ETIMEDOUT', false]);
	});

	it('keeps nothing of the original error (whose request config holds the API key)', () => {
		const secret = 'sk-very-secret';
		const axiosLike = Object.assign(new Error('Request failed'), {
			code: 'ECONNRESET',
			config: { headers: { 'x-api-key': secret } },
		});
		const error = toTransportError({ message: 'wrapper', cause: axiosLike });
		expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain(secret);
	});
});

describe("an item's Timeout and the wait for the request budget", () => {
	const ticket: Ticket = { done: () => undefined, failed: () => undefined, rateLimited: () => undefined };
	/** A budget that grants after `holdMs`; `pausedFor` > 0: a 429 pause is in effect that long. */
	const budget = (holdMs: number, pausedFor = 0): RequestScheduler => {
		const pausedUntil = Date.now() + pausedFor;
		return {
			constrained: false,
			pausedUntil,
			acquire: async (_kind, signal) =>
				await new Promise<Ticket>((resolve, reject) => {
					const timer = setTimeout(() => resolve(ticket), holdMs);
					signal?.addEventListener('abort', () => {
						clearTimeout(timer);
						reject(new Error('aborted'));
					});
				}),
		};
	};
	const http = async () => ({ statusCode: 200, headers: {}, body: '{}' });
	const send = (scheduler: RequestScheduler, clock: ItemClock) =>
		sendWithRetry(http, { method: 'GET', url: 'https://api.segmind.com/v1/get-user-credits' }, { authenticated: true, retry: 'idempotent', timeoutMs: 5000, scheduler, itemClock: clock }, { ...DEFAULT_RETRY_POLICY, maxRetries: 0 });

	it('does not run while the item waits in line before its first request (pacing, no 429 pause)', async () => {
		const clock = new ItemClock(100);
		const response = await send(budget(300), clock);
		expect(response.statusCode).toBe(200);
		// The clock started with the request: the item now has its whole Timeout ahead of it.
		expect(clock.deadline! - Date.now()).toBeGreaterThan(50);
	});

	it('ends the wait when a 429 pause outlasts the Timeout, before the item sent anything', async () => {
		const startedAt = Date.now();
		await expect(send(budget(60_000, 60_000), new ItemClock(100))).rejects.toMatchObject({ code: 'EITEMDEADLINE' });
		expect(Date.now() - startedAt).toBeLessThan(1000);
	});

	it('bounds every wait once the item has started', async () => {
		const clock = new ItemClock(100);
		clock.start();
		await expect(send(budget(300), clock)).rejects.toMatchObject({ code: 'EITEMDEADLINE' });
	});
});
