/**
 * Shared helpers for the integration suites (errors, faults, operations, secrets, bad-input):
 * a local Segmind server per suite, a runner that executes a real workflow in n8n's engine with a
 * distinctive API key, and a secret check applied to EVERY run (error, output, stdout/stderr).
 */
import * as util from 'util';
import { LoggerProxy, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { runWorkflow, segmindWorkflow, type RunResult } from '../harness/n8n-engine';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSegmindServer } = require('../server/segmind-server');
// What the built node (the one the engine runs) remembers about API keys between executions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { forgetKeys } = require('../../dist/nodes/SegmindFaceToMany/transport/budgets.js');

/** A key that cannot appear anywhere by accident. */
export const SECRET_KEY = 'sk-SEGMIND-7f3Qz9-SECRET-canary-Xw81';
export const NODE = 'Segmind Face to Many';
/**
 * Options that keep the suites fast: poll interval at its 0.1 s minimum, and the local server's
 * jobs (well under a second) expected to take 0.1 s instead of Segmind's 22 s.
 */
export const FAST = { pollIntervalSeconds: 0.1, expectedJobSeconds: 0.1, maxRetries: 2, timeoutSeconds: 20 };

export interface SegmindServer {
	url: string;
	requests: Array<{
		at: number;
		method: string;
		path: string;
		route: string;
		hasApiKey: boolean;
		apiKeyValid: boolean;
		contentType?: string;
		body?: IDataObject;
		injected?: unknown;
		/** The x-api-key value received. */
		apiKey?: string;
	}>;
	jobs: Map<string, { id: string; body: IDataObject; error: string | null; createdAt: number }>;
	configure(changes: IDataObject): void;
	inject(route: string, fault: IDataObject): void;
	count(route?: string, since?: number): number;
	/** Ends requests still in flight (they are never recorded), then clears everything. */
	reset(): Promise<void>;
	/** Jobs billed (or possibly billed): v2 jobs created plus v1 runs started. */
	billed(): number;
	start(port?: number): Promise<string>;
	stop(): Promise<void>;
}

/** One server for a suite; reset before each test. */
export function useServer(options: IDataObject = {}): { server: SegmindServer } {
	const holder = {} as { server: SegmindServer };
	const base = { apiKey: SECRET_KEY, queueMs: 20, processingMs: 50, syncMs: 20, ...options };
	beforeAll(async () => {
		holder.server = createSegmindServer(base);
		await holder.server.start();
	});
	// Each test starts afresh: a server with no jobs, and a node that has learned nothing about the
	// key (a limit or a 429's pause learned in one test would otherwise hold the next).
	beforeEach(async () => {
		forgetKeys();
		await holder.server.reset();
	});
	afterAll(async () => {
		await holder.server.stop();
	});
	return holder;
}

/**
 * Everything written to stdout/stderr, the console or n8n's logger (all levels) while `fn` runs,
 * and the error objects n8n's engine hands to its ErrorReporter (the very instance the node threw,
 * which n8n sends to Sentry / its logs), rendered with JSON.stringify and util.inspect.
 */
export async function captureOutput<T>(fn: () => Promise<T>): Promise<{ value: T; written: string; reported: string }> {
	const chunks: string[] = [];
	const reportedChunks: string[] = [];
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require('@n8n/di');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { ErrorReporter } = require('n8n-core');
	const reporter = Container.get(ErrorReporter) as { error: (e: unknown, options?: unknown) => void };
	const originalReport = reporter.error;
	reporter.error = (e: unknown, options?: unknown) => {
		let json = '';
		try {
			json = JSON.stringify(e);
		} catch {
			json = '(circular)';
		}
		reportedChunks.push(`${json}\n${util.inspect(e, { depth: 10, showHidden: true })}\n${util.inspect(options, { depth: 5 })}`);
	};
	const original = {
		out: process.stdout.write.bind(process.stdout),
		err: process.stderr.write.bind(process.stderr),
	};
	const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
	const originalConsole = consoleMethods.map((m) => console[m]);
	const record = (chunk: unknown) => {
		chunks.push(typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
	};
	// Recorded, not printed: a passing suite stays quiet, and what was written is checked for the key.
	// (SEGMIND_TEST_VERBOSE=1 prints it too.)
	const echo = process.env.SEGMIND_TEST_VERBOSE === '1';
	process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
		record(chunk);
		return echo ? original.out(chunk as string, ...(rest as [])) : true;
	}) as typeof process.stdout.write;
	process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
		record(chunk);
		return echo ? original.err(chunk as string, ...(rest as [])) : true;
	}) as typeof process.stderr.write;
	consoleMethods.forEach((m, index) => {
		console[m] = (...args: unknown[]) => {
			record(util.format(...args));
			if (echo) (originalConsole[index] as (...a: unknown[]) => void)(...args);
		};
	});
	// n8n's engine logs through LoggerProxy (e.g. debug "finished with error" with the error object):
	// record every level, as a debug-level n8n log file would.
	const log = (level: string) => (message: string, meta?: object) =>
		record(`[n8n ${level}] ${message} ${util.inspect(meta, { depth: 10, showHidden: true })}\n`);
	LoggerProxy.init({ error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') } as never);
	// A node's own `this.logger` is n8n's backend Logger from the DI container: record it too.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Logger } = require('@n8n/backend-common');
	const originalNodeLogger = Container.get(Logger);
	const nodeLogger = { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
	Container.set(Logger, { ...nodeLogger, scoped: () => nodeLogger });
	try {
		const value = await fn();
		return { value, written: chunks.join(''), reported: reportedChunks.join('\n') };
	} finally {
		reporter.error = originalReport;
		Container.set(Logger, originalNodeLogger);
		const silent = () => {};
		LoggerProxy.init({ error: silent, warn: silent, info: silent, debug: silent } as never);
		process.stdout.write = original.out;
		process.stderr.write = original.err;
		consoleMethods.forEach((m, index) => {
			(console as unknown as Record<string, unknown>)[m] = originalConsole[index];
		});
	}
}

/** Every place a secret could surface after a run, as text. */
export function exposedText(result: RunResult, written: string, reported = ''): Record<string, string> {
	const error = result.error as unknown as (Error & { description?: string; context?: unknown }) | undefined;
	const items = result.output(NODE);
	const taskErrors = (result.run.data.resultData.runData[NODE] ?? []).map((task) => task.error);
	return {
		errorMessage: String(error?.message ?? ''),
		errorDescription: String(error?.description ?? ''),
		errorContext: JSON.stringify(error?.context ?? {}),
		errorJson: JSON.stringify(error ?? null),
		errorInspect: util.inspect(error, { depth: 10, showHidden: true }),
		taskErrors: JSON.stringify(taskErrors) + util.inspect(taskErrors, { depth: 10, showHidden: true }),
		outputItems: JSON.stringify(items) + util.inspect(items, { depth: 10 }),
		wholeRun: JSON.stringify(result.run),
		written,
		reportedError: reported,
	};
}

/** Fail with the places the secret leaked to. */
export function expectNoSecret(result: RunResult, written: string, secret = SECRET_KEY, reported = ''): void {
	if (!secret) return; // an empty key cannot be searched for
	const places = Object.entries(exposedText(result, written, reported))
		.filter(([, text]) => text.includes(secret))
		.map(([place]) => place);
	expect(places).toEqual([]);
}

export interface NodeRun extends RunResult {
	items: INodeExecutionData[];
	/** Milliseconds from start to the end of the run. */
	elapsedMs: number;
	startedAt: number;
	written: string;
	/** What n8n's engine passed to its ErrorReporter (the thrown error instance, inspected). */
	reported: string;
}

export interface RunNodeOptions {
	items?: unknown[];
	continueOnFail?: boolean;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	cancelAfterMs?: number;
	apiKey?: string;
	baseUrl?: string;
	uploadBaseUrl?: string;
}

/**
 * Run the node in n8n's engine against `server` with the secret key, capturing output,
 * and check the key leaked nowhere (every scenario gets this check).
 */
export async function runNode(server: SegmindServer, parameters: IDataObject, opts: RunNodeOptions = {}): Promise<NodeRun> {
	const startedAt = Date.now();
	const { value: result, written, reported } = await captureOutput(() =>
		runWorkflow(segmindWorkflow(parameters, { items: opts.items, continueOnFail: opts.continueOnFail, onError: opts.onError }), {
			credentials: {
				apiKey: opts.apiKey ?? SECRET_KEY,
				baseUrl: opts.baseUrl ?? server.url,
				uploadBaseUrl: opts.uploadBaseUrl ?? server.url,
			},
			cancelAfterMs: opts.cancelAfterMs,
		}),
	);
	const elapsedMs = Date.now() - startedAt;
	expectNoSecret(result, written, SECRET_KEY, reported);
	if (opts.apiKey) expectNoSecret(result, written, opts.apiKey, reported);
	return Object.assign(result, { items: result.output(NODE), elapsedMs, startedAt, written, reported });
}

/** The node error of a failed run, with the fields n8n shows. */
export function nodeError(run: RunResult): {
	name: string;
	constructorName: string;
	message: string;
	description: string;
	httpCode?: string;
	context: IDataObject;
} {
	const error = run.error as unknown as {
		name: string;
		message: string;
		description?: string;
		httpCode?: string | null;
		context?: IDataObject;
		constructor: { name: string };
	};
	expect(error).toBeDefined();
	return {
		name: error.name,
		constructorName: error.constructor.name,
		message: error.message,
		description: String(error.description ?? ''),
		httpCode: error.httpCode ?? undefined,
		context: error.context ?? {},
	};
}

/** A request id the server created, from the job list (single-job tests). */
export function onlyJobId(server: SegmindServer): string {
	const ids = [...server.jobs.keys()];
	expect(ids).toHaveLength(1);
	return ids[0];
}

export const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
