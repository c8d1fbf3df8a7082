/**
 * An in-process Segmind for the discrete-event simulation (test/unit/simulation): the v2 job
 * protocol of test/server/segmind-server.js (same job times, same fixed-window rate limit with
 * `x-rate-limit-reset-at-utc`), without sockets, on whatever clock `Date.now()` and `setTimeout`
 * are (Jest's fake timers in the simulation), with a round-trip latency. It is handed to the node
 * as n8n's `httpRequest` / `httpRequestWithAuthentication`, one `HttpCall` per emulated n8n
 * process; the limit is per key, shared by all of them.
 *
 * Usable from the benchmark too (plain data in, plain data out): `new SegmindEmulator(options)`,
 * `emulator.http(process)`, then `emulator.log` and `emulator.jobs`.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { jobTiming } = require('../server/segmind-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { drawFace } = require('../server/png');

export const EMULATOR_URL = 'https://api.segmind.test';
const IMAGE_URL = 'https://images.segmind.test';

/** A plan: `perMinute` requests per `windowMs` (fixed windows, from the first counted request), counting only submits or every keyed request. */
export interface Plan {
	perMinute: number;
	counts: 'submits' | 'all';
	windowMs?: number;
}

export interface EmulatorOptions {
	apiKey: string;
	/** null: no limit. */
	plan: Plan | null;
	/** Job durations: the k-th job created takes meanMs × (1 ± spread), seeded (as the local server's jobTimes). */
	jobs: { meanMs: number; spread: number; seed: number; queueShare?: number };
	/** Round trip of one request (half out, half back). */
	latencyMs: number;
}

/** One request as the emulated Segmind saw it. */
export interface Seen {
	at: number;
	process: number;
	route: 'submit' | 'status' | 'result' | 'download' | 'other';
	keyed: boolean;
	status: number;
	/** Fixed window it was counted in (counted requests only). */
	window?: number;
	/** For 429s: the reset time told. */
	resetAt?: number;
	jobId?: string;
}

export interface EmulatedJob {
	id: string;
	index: number;
	createdAt: number;
	durationMs: number;
	queueMs: number;
	/** Result fetched (the image can be delivered). */
	collected: boolean;
}

type HttpCall = (options: IHttpRequestOptions, authenticated: boolean) => Promise<IN8nHttpFullResponse>;

/** What axios throws when its signal aborts a request. */
class Canceled extends Error {
	code = 'ERR_CANCELED';

	constructor() {
		super('canceled');
	}
}

export class SegmindEmulator {
	readonly log: Seen[] = [];

	readonly jobs = new Map<string, EmulatedJob>();

	private limiter: { origin?: number; window: number; count: number } = { window: -1, count: 0 };

	private readonly image: Buffer = drawFace('3D', 16);

	constructor(readonly options: EmulatorOptions) {}

	/** n8n's HTTP helper as process `process` sees it (the credential adds the key when `authenticated`). */
	http(process: number): HttpCall {
		return async (request, authenticated) => await this.call(process, request, authenticated);
	}

	private async call(process: number, request: IHttpRequestOptions, authenticated: boolean): Promise<IN8nHttpFullResponse> {
		const signal = request.abortSignal as AbortSignal | undefined;
		await this.travel(signal);
		const answer = this.handle(process, request, authenticated);
		await this.travel(signal);
		return answer;
	}

	/** Half a round trip; an abort ends it as axios does. */
	private async travel(signal?: AbortSignal): Promise<void> {
		if (signal?.aborted) throw new Canceled();
		const ms = this.options.latencyMs / 2;
		if (ms <= 0) {
			await Promise.resolve();
			return;
		}
		await new Promise<void>((resolve, reject) => {
			const onAbort = () => {
				clearTimeout(timer);
				reject(new Canceled());
			};
			const timer = setTimeout(() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			}, ms);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	private handle(process: number, request: IHttpRequestOptions, authenticated: boolean): IN8nHttpFullResponse {
		const now = Date.now();
		const url = new URL(request.url);
		const method = (request.method ?? 'GET').toUpperCase();
		const path = url.pathname;
		const route: Seen['route'] =
			method === 'POST' && path === '/v2/face-to-many'
				? 'submit'
				: /^\/v2\/requests\/[^/]+\/status$/.test(path)
					? 'status'
					: /^\/v2\/requests\/[^/]+$/.test(path)
						? 'result'
						: path.startsWith('/outputs/')
							? 'download'
							: 'other';
		const seen: Seen = { at: now, process, route, keyed: authenticated, status: 200 };
		this.log.push(seen);
		const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			seen.status = status;
			return { statusCode: status, headers: { 'content-type': 'application/json', ...headers }, body } as IN8nHttpFullResponse;
		};
		const { plan } = this.options;
		if (plan && authenticated && (plan.counts === 'all' || route === 'submit')) {
			const verdict = this.count(now, plan);
			seen.window = verdict.window;
			if (verdict.resetAt !== undefined) {
				seen.resetAt = verdict.resetAt;
				return answer(429, { error: 'Rate limit exceeded. Please try again later.' }, {
					'x-rate-limit-reset-at-utc': new Date(verdict.resetAt).toISOString(),
				});
			}
		}
		if (route === 'download') return { statusCode: 200, headers: { 'content-type': 'image/png' }, body: this.image } as IN8nHttpFullResponse;
		if (route === 'submit') {
			const index = this.jobs.size;
			const timing = jobTiming({ queueShare: 0.05, ...this.options.jobs }, index) as { queueMs: number; processingMs: number };
			const id = `job-${index}`;
			this.jobs.set(id, { id, index, createdAt: now, durationMs: timing.queueMs + timing.processingMs, queueMs: timing.queueMs, collected: false });
			seen.jobId = id;
			return answer(200, {
				request_id: id,
				status: 'QUEUED',
				status_url: `${EMULATOR_URL}/v2/requests/${id}/status`,
				response_url: `${EMULATOR_URL}/v2/requests/${id}`,
			});
		}
		if (route === 'status' || route === 'result') {
			const id = path.split('/')[3];
			const job = this.jobs.get(id);
			seen.jobId = id;
			if (!job) return answer(404, { error: `Request ${id} not found` });
			const age = now - job.createdAt;
			if (age < job.durationMs) return answer(200, { status: age < job.queueMs ? 'QUEUED' : 'PROCESSING', request_id: id, metrics: {} });
			const inference = (job.durationMs - job.queueMs) / 1000;
			if (route === 'status') return answer(200, { status: 'COMPLETED', request_id: id, metrics: { inference_time: inference } });
			job.collected = true;
			return answer(200, {
				status: 'COMPLETED',
				request_id: id,
				output: `${IMAGE_URL}/outputs/${id}.png`,
				metrics: { inference_time: inference, queue_time: job.queueMs / 1000, total_time: job.durationMs / 1000, cost: 0.0246 },
			});
		}
		return answer(405, { error: 'Method Not Allowed' });
	}

	/** Count a request in its fixed window; over the limit: the window's end. */
	private count(now: number, plan: Plan): { window: number; resetAt?: number } {
		const windowMs = plan.windowMs ?? 60_000;
		const origin = (this.limiter.origin ??= now);
		const window = Math.floor((now - origin) / windowMs);
		if (window !== this.limiter.window) this.limiter = { ...this.limiter, window, count: 0 };
		if (this.limiter.count >= plan.perMinute) return { window, resetAt: origin + (window + 1) * windowMs };
		this.limiter.count++;
		return { window };
	}
}
