/**
 * The discrete-event simulation of the timing core: the node's real code (the operation, the
 * client, the request budget, the poll planner) runs against the in-process Segmind emulator on
 * Jest's fake clock, so hours of rate-limited batches take a moment and come out the same every
 * time. Each emulated n8n process (a queue-mode worker) is its own copy of the node's modules
 * (`jest.isolateModules`), so its own budget registry and memory; the emulator's limit is
 * shared by all of them, as Segmind's is per key.
 *
 * Call it from a test that has called `jest.useFakeTimers()`.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { EMULATOR_URL, SegmindEmulator, type Plan, type Seen } from './segmindEmulator';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { jobTiming, mulberry32 } = require('../server/segmind-server');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lowerBound } = require('../../scripts/bench-lib');

/** One cell of the grid. */
export interface Cell {
	/** null: no limit. */
	plan: Plan | null;
	/** Items in all, split evenly over the processes (one execution each). */
	items: number;
	/** Mean job time; each job takes it ± `spread`. */
	jobMs: number;
	spread?: number;
	latencyMs: number;
	/** n8n processes sharing the key (queue-mode workers). */
	processes: number;
	/** When each process starts its execution, after the first (queue-mode workers pick up work at different moments); all at once when absent. */
	startDelaysMs?: number[];
	seed?: number;
	/** Node options (defaults when absent). */
	options?: Record<string, unknown>;
}

export interface ProcessOutcome {
	/** What the process remembers about the key afterwards. */
	learned?: { limit?: number; windowMs?: number; counts: string };
	/** 429 answers this process got, and the distinct reset times among them (pauses it learned from). */
	rateLimited: number;
	rateLimitEvents: number;
}

export interface Outcome {
	wallMs: number;
	/** The least the API allows for these jobs under this plan (scripts/bench-lib.js lowerBound). */
	lowerBoundMs: number;
	delivered: number;
	/** Items that ended in an error (with the error texts). */
	lost: number;
	errors: string[];
	/** Jobs created at the emulated Segmind, and those whose result was never fetched. */
	billed: number;
	uncollected: number;
	keyedPerJob: number;
	processes: ProcessOutcome[];
	log: Seen[];
}

/** The job durations the emulator will draw, in creation order. */
export function jobDurations(cell: Cell, from = 0): number[] {
	return Array.from({ length: cell.items }, (_, k) => {
		const timing = jobTiming({ meanMs: cell.jobMs, spread: cell.spread ?? 0.3, seed: cell.seed ?? 1, queueShare: 0.05 }, from + k);
		return timing.queueMs + timing.processingMs;
	});
}

export function lowerBoundOf(cell: Cell, from = 0): number {
	const durations = jobDurations(cell, from);
	if (!cell.plan) return lowerBound({ durations }).lowerBoundMs;
	return lowerBound({ durations, limit: cell.plan.perMinute, windowMs: cell.plan.windowMs ?? 60_000, counts: cell.plan.counts }).lowerBoundMs;
}

type Budgets = typeof import('../../nodes/SegmindFaceToMany/transport/budgets');

/** Node copies, one per emulated process (loaded once per test file: loading n8n-workflow takes a while). */
const copies: Array<{ Node: new () => INodeType; budgets: Budgets }> = [];

function copyOf(process: number): { Node: new () => INodeType; budgets: Budgets } {
	while (copies.length <= process) {
		jest.isolateModules(() => {
			copies.push({
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				Node: require('../../nodes/SegmindFaceToMany/SegmindFaceToMany.node').SegmindFaceToMany,
				// eslint-disable-next-line @typescript-eslint/no-require-imports
				budgets: require('../../nodes/SegmindFaceToMany/transport/budgets'),
			});
		});
	}
	return copies[process];
}

/** Just enough of n8n's execute context for a Generate Image run with the node's defaults. */
function executeContext(http: SegmindEmulatorHttp, apiKey: string, items: number, options: Record<string, unknown>): IExecuteFunctions {
	const parameters: Record<string, unknown> = {
		operation: 'generate',
		imageSource: 'url',
		imageUrl: 'https://example.com/face.jpg',
		style: '3D',
		options,
	};
	const input: INodeExecutionData[] = Array.from({ length: items }, (_, n) => ({ json: { n } }));
	const get = (path: string) => path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], parameters);
	return {
		getNodeParameter: (path: string, _i: number, fallback?: unknown) => get(path) ?? fallback,
		getInputData: () => input,
		getNode: () => ({ name: 'Segmind Face to Many', type: 'n8n-nodes-segmind-face-to-many.segmindFaceToMany', parameters: {} }),
		continueOnFail: () => true,
		getCredentials: async () => ({ apiKey, baseUrl: EMULATOR_URL, uploadBaseUrl: EMULATOR_URL }),
		getExecutionCancelSignal: () => undefined,
		logger: { info: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined },
		helpers: {
			httpRequest: async (request: never) => await http(request, false),
			httpRequestWithAuthentication: async (_credential: string, request: never) => await http(request, true),
			prepareBinaryData: async (_data: unknown, fileName: string, mimeType: string) => ({ data: '', fileName, mimeType }),
		},
	} as unknown as IExecuteFunctions;
}

type SegmindEmulatorHttp = ReturnType<SegmindEmulator['http']>;

/** Let the fake clock run until `done` settles. */
async function runClock<T>(done: Promise<T>): Promise<T> {
	let settled = false;
	const result = done.finally(() => (settled = true));
	const startedAt = Date.now();
	for (let steps = 0; !settled; steps++) {
		if (steps > 2_000_000) throw new Error(`the simulation does not end: ${(Date.now() - startedAt) / 1000} s simulated`);
		await jest.advanceTimersToNextTimerAsync();
	}
	return await result;
}

let keys = 0;

/**
 * Run one cell with the node: each process runs one execution with its share of the items, all
 * starting at once. `runs` > 1 runs the cell again on the same key (what the processes learned
 * carries over, as in n8n between executions); the outcome is the last run's. Math.random is the
 * server's seeded PRNG, so that the node's random draws (first checks, backoff jitter) repeat.
 */
export async function simulate(cell: Cell, runs = 1): Promise<Outcome> {
	const random = jest.spyOn(Math, 'random').mockImplementation(mulberry32(cell.seed ?? 1));
	try {
		return await simulateRuns(cell, runs);
	} finally {
		random.mockRestore();
	}
}

async function simulateRuns(cell: Cell, runs: number): Promise<Outcome> {
	const apiKey = `sim-key-${++keys}`;
	const emulator = new SegmindEmulator({
		apiKey,
		plan: cell.plan,
		jobs: { meanMs: cell.jobMs, spread: cell.spread ?? 0.3, seed: cell.seed ?? 1 },
		latencyMs: cell.latencyMs,
	});
	const shares = Array.from({ length: cell.processes }, (_, p) => Math.floor(cell.items / cell.processes) + (p < cell.items % cell.processes ? 1 : 0));
	let outcome: Outcome | undefined;
	for (let run = 0; run < runs; run++) {
		// A later run starts at the start of a rate-limit window, a minute after the last.
		if (run > 0) await jest.advanceTimersByTimeAsync(60_000 + (cell.plan?.windowMs ?? 60_000) - ((Date.now() - emulator.log[0].at) % (cell.plan?.windowMs ?? 60_000)));
		const logFrom = emulator.log.length;
		const jobsFrom = emulator.jobs.size;
		const startedAt = Date.now();
		const outputs = await runClock(
			Promise.all(
				shares.map(async (items, p) => {
					if (items === 0) return [] as INodeExecutionData[];
					const delayMs = cell.startDelaysMs?.[p] ?? 0;
					if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
					const { Node } = copyOf(p);
					const ctx = executeContext(emulator.http(p), apiKey, items, cell.options ?? {});
					const [out] = (await new Node().execute!.call(ctx)) as INodeExecutionData[][];
					return out;
				}),
			),
		);
		const wallMs = Date.now() - startedAt;
		const items = outputs.flat();
		const errors = items.filter((item) => item.json.error !== undefined).map((item) => String(item.json.error));
		const log = emulator.log.slice(logFrom);
		const jobs = [...emulator.jobs.values()].slice(jobsFrom);
		const keyed = log.filter((seen) => seen.keyed);
		outcome = {
			wallMs,
			lowerBoundMs: lowerBoundOf(cell, jobsFrom),
			delivered: items.length - errors.length,
			lost: errors.length,
			errors,
			billed: jobs.length,
			uncollected: jobs.filter((job) => !job.collected).length,
			keyedPerJob: keyed.length / Math.max(1, cell.items),
			processes: shares.map((_, p) => {
				const limited = keyed.filter((seen) => seen.process === p && seen.status === 429);
				const learned = copyOf(p).budgets.learnedAbout({ apiKey, baseUrl: EMULATOR_URL });
				return { learned, rateLimited: limited.length, rateLimitEvents: new Set(limited.map((seen) => seen.resetAt)).size };
			}),
			log,
		};
	}
	return outcome!;
}

/**
 * The naive loop a user builds with HTTP Request and Wait nodes: every item submitted at once,
 * then checked every second until done, the result and the image fetched; a 429 is retried after
 * a second, three tries in all (n8n's Retry On Fail defaults). `succeeded`: no item failed.
 */
export async function simulateNaive(cell: Cell): Promise<{ wallMs: number; succeeded: boolean }> {
	const emulator = new SegmindEmulator({
		apiKey: 'naive',
		plan: cell.plan,
		jobs: { meanMs: cell.jobMs, spread: cell.spread ?? 0.3, seed: cell.seed ?? 1 },
		latencyMs: cell.latencyMs,
	});
	const http = emulator.http(0);
	const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
	const send = async (request: { url: string; method?: string; body?: unknown }, keyed = true) => {
		for (let attempt = 0; ; attempt++) {
			const answer = await http({ method: 'GET', ...request } as never, keyed);
			if (answer.statusCode !== 429) return answer.body as Record<string, unknown>;
			if (attempt === 2) throw new Error('rate limited');
			await sleep(1000);
		}
	};
	const item = async () => {
		const job = await send({ method: 'POST', url: `${EMULATOR_URL}/v2/face-to-many`, body: {} });
		for (;;) {
			await sleep(1000);
			if ((await send({ url: String(job.status_url) })).status === 'COMPLETED') break;
		}
		const result = await send({ url: String(job.response_url) });
		await send({ url: String(result.output) }, false);
	};
	const startedAt = Date.now();
	const outcomes = await runClock(Promise.all(Array.from({ length: cell.items }, async () => await item().then(() => true, () => false))));
	return { wallMs: Date.now() - startedAt, succeeded: outcomes.every(Boolean) };
}
