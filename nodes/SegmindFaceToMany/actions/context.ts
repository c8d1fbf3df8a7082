import type { IExecuteFunctions } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../constants';
import { Semaphore } from '../helpers/concurrency';
import type { JobDurations } from '../helpers/polling';
import { seconds } from '../helpers/values';
import type { RunOptions } from './runOptions';
import { acquireBudget, type BudgetLease } from '../transport/budgets';
import { SegmindClient } from '../transport/client';
import type { HttpCall } from '../transport/http';

/** Image downloads (and storing them) at once per run: the bound that keeps memory flat. */
export const DOWNLOADS_AT_ONCE = 32;

/** What an operation may use while reading an item's input, before anything is sent. */
export interface PrepareEnv {
	options: RunOptions;
	/** The credential's API base URL (Get Job Result only sends the key there). */
	baseUrl: string;
	/** Run as an AI agent's tool: no files, no downloads. */
	toolMode: boolean;
}

/** What every item of one node run shares. */
export interface RunContext {
	ctx: IExecuteFunctions;
	client: SegmindClient;
	options: RunOptions;
	baseUrl: string;
	signal?: AbortSignal;
	/**
	 * The request budget of the credential's API key, shared with every other execution using it
	 * in this process (a lease: close() ends only this run's waits), and how long jobs took so far.
	 */
	scheduler: BudgetLease;
	durations: JobDurations;
	/** Bounds the image downloads in progress. */
	downloads: Semaphore;
}

/** One item's share of the run: its index, its own cancel signal and client, and where it reports a billed job. */
export interface ItemRun extends RunContext {
	i: number;
	signal: AbortSignal;
	/** Called once Segmind has accepted a job for this item (it is billed from then on). */
	onSubmitted: (requestId: string) => void;
}

/**
 * The run's shared pieces: n8n's HTTP helpers behind one client, the API key's request budget
 * (one per key in this process, shared with other executions: a 429 pauses them all, and the
 * limit it reveals holds while any of them runs, which n8n's log is told), and the job durations
 * adaptive polling learns from. `jobs`: how many jobs this run will wait for.
 * The caller must close `scheduler` at the end of the run.
 */
export function createRunContext(
	ctx: IExecuteFunctions,
	options: RunOptions,
	credential: { baseUrl: string; uploadBaseUrl: string; apiKey: string },
	signal: AbortSignal,
	jobs = 0,
): RunContext {
	const urls = { baseUrl: credential.baseUrl, uploadBaseUrl: credential.uploadBaseUrl };
	const http: HttpCall = async (request, authenticated) =>
		authenticated
			? await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_NAME, request)
			: await ctx.helpers.httpRequest(request);
	const nodeName = ctx.getNode().name;
	const scheduler = acquireBudget(credential, {
		jobs,
		priorMs: options.expectedJobSeconds * 1000,
		maxRequestsPerMinute: options.maxRequestsPerMinute,
		onPause: ({ pauseMs, limit, windowMs }) =>
			ctx.logger.info(
				`Segmind rate limit (429): all items of "${nodeName}" pause for ${seconds(pauseMs)}` +
					(limit ? `; from now on at most ${limit} requests per ${windowMs ? `${seconds(windowMs)} window` : 'window'}` : ''),
			),
	});
	return {
		ctx,
		options,
		baseUrl: urls.baseUrl,
		signal,
		scheduler,
		durations: scheduler.durations,
		downloads: new Semaphore(DOWNLOADS_AT_ONCE),
		client: new SegmindClient(http, {
			...urls,
			// Server texts (errors, answers) that echo the key are redacted before anyone reads them.
			secrets: [credential.apiKey],
			retry: { maxRetries: options.maxRetries },
			requestTimeoutMs: Math.min(60_000, options.timeoutSeconds * 1000),
			maxDownloadBytes: Math.round(options.maxImageSizeMb * 1024 * 1024),
			signal,
			scheduler,
		}),
	};
}
