import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { readImageInput, imageUrlFor, type ImageInput } from './inputImage';
import { readJobSettings, type JobSettings } from './jobInput';
import type { JobPayload } from '../transport/wire';
import { waitForJob } from '../helpers/polling';
import { SegmindFailure, timedOut } from '../errors/failures';
import { failedCheckText } from '../errors/messages';
import type { JobResult, SubmittedJob } from '../transport/client';
import { toNumber } from '../helpers/values';
import { jobFailed } from '../transport/responses';
import type { ItemRun, PrepareEnv } from './context';

/*
 * The steps of a face-to-many job that several operations share, in the order an item takes them:
 * read its input (before anything is sent), resolve the photo to a URL, wait for the job, fetch its result.
 */

/** What a job operation sends for item `i`, read and checked before any request. */
export interface JobPlan {
	image: ImageInput;
	settings: JobSettings;
}

export async function prepareJob(ctx: IExecuteFunctions, i: number, env: PrepareEnv): Promise<JobPlan> {
	const settings = readJobSettings(ctx, i);
	const image = await readImageInput(ctx, i, { maxInputImageSizeMb: env.options.maxInputImageSizeMb, toolMode: env.toolMode });
	return { image, settings };
}

/** The body to send: a binary photo is uploaded first and its URL used. */
export async function jobPayload(item: ItemRun, plan: JobPlan): Promise<JobPayload> {
	const url = await imageUrlFor(item.ctx, item.i, plan.image, async (bytes, mimeType) => await item.client.upload(bytes, mimeType));
	return { image: url, ...plan.settings };
}

/** Segmind's own time for a job, in ms, from an answer's `metrics` (total, else queue + inference, else inference). */
export function reportedJobMs(metrics: IDataObject): number | undefined {
	const total = toNumber(metrics.total_time);
	const inference = toNumber(metrics.inference_time);
	const seconds = total ?? (inference === undefined ? undefined : inference + (toNumber(metrics.queue_time) ?? 0));
	return seconds === undefined ? undefined : seconds * 1000;
}

/** Failures that more time could have cured: when checks end in one at the deadline, it is a timeout. */
const TRANSIENT = ['server', 'rateLimited', 'network'];

/**
 * Wait for a submitted job to finish (status checks on the run's polling schedule) and fetch its
 * result. A FAILED job throws its server detail; a job still running at the Timeout throws naming
 * its request ID. `pollImmediately`: look at once (Get Result on a job that may be done already).
 */
export async function waitForResult(
	item: ItemRun,
	job: Pick<SubmittedJob, 'requestId' | 'statusUrl' | 'responseUrl'>,
	pollImmediately = false,
): Promise<JobResult> {
	const { options } = item;
	const done = await waitForJob(
		async (deadline) => {
			const state = await item.client.status(job, deadline);
			if (state.state === 'FAILED') throw jobFailed(job.requestId, state.error, state.body);
			return state.state === 'COMPLETED' ? { done: true as const, value: state } : { done: false as const, status: state.status };
		},
		{
			pollIntervalMs: options.pollIntervalSeconds * 1000,
			// The item's Timeout started before the upload and submit: wait at most what is left of it.
			timeoutMs: item.client.remainingMs() ?? options.timeoutSeconds * 1000,
			mode: options.pollingMode,
			durations: item.durations,
			economical: () => item.scheduler.constrained,
			signal: item.signal,
			pollImmediately,
			failedCheck: (error) => {
				if (!(error instanceof SegmindFailure)) return {};
				// 'timeout': the item's Timeout ran out during the check itself.
				if (error.kind === 'timeout') return { timedOut: true, detail: error.lastTry };
				return { transient: TRANSIENT.includes(error.kind), detail: failedCheckText(error) };
			},
			timedOut: (lastStatus) => timedOut(job.requestId, options.timeoutSeconds * 1000, lastStatus),
			reportedMs: (state) => reportedJobMs(state.metrics),
		},
	);
	const result = await item.client.result(job, done.body);
	return { ...result, metrics: { ...done.metrics, ...result.metrics } };
}
