import type { IExecuteFunctions } from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../constants';
import { JobDurations } from '../helpers/polling';
import { SegmindClient } from '../transport/client';
import type { HttpCall } from '../transport/http';
import { RequestScheduler } from '../transport/scheduler';
import type { RunOptions } from '../helpers/runOptions';

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
	/** Shared by all items of the run: the request budget, and how long jobs took so far. */
	scheduler: RequestScheduler;
	durations: JobDurations;
}

/** One item's share of the run: its index, its own cancel signal and client, and where it reports a billed job. */
export interface ItemRun extends RunContext {
	i: number;
	signal: AbortSignal;
	/** Called once Segmind has accepted a job for this item (it is billed from then on). */
	onSubmitted: (requestId: string) => void;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/**
 * The run's shared pieces: n8n's HTTP helpers behind one client, one request budget for all
 * items (a 429 pauses them all, and the limit it reveals holds for the rest of the run, which
 * n8n's log is told), and the job durations adaptive polling learns from.
 */
export function createRunContext(
	ctx: IExecuteFunctions,
	options: RunOptions,
	urls: { baseUrl: string; uploadBaseUrl: string; secrets?: string[] },
	signal: AbortSignal,
): RunContext {
	const http: HttpCall = async (request, authenticated) =>
		authenticated
			? await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_NAME, request)
			: await ctx.helpers.httpRequest(request);
	const nodeName = ctx.getNode().name;
	const scheduler = new RequestScheduler({
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
		durations: new JobDurations(),
		client: new SegmindClient(http, {
			...urls,
			retry: { maxRetries: options.maxRetries },
			requestTimeoutMs: Math.min(60_000, options.timeoutSeconds * 1000),
			maxDownloadBytes: Math.round(options.maxImageSizeMb * 1024 * 1024),
			signal,
			scheduler,
		}),
	};
}
