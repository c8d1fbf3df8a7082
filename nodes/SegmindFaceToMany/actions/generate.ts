import type { INodeExecutionData } from 'n8n-workflow';

import { waitForCompletion } from '../helpers/polling';
import type { SubmittedJob } from '../transport/client';
import type { RunContext } from './context';
import { emitImage, resolveImage, type ImageMeta } from './image';
import type { JobPlan } from './params';

/** Generate: validate (done) → submit → wait → download → emit. */
export async function generate(run: RunContext, i: number, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await resolveImage(run, i, plan);
	const job = await run.client.submit(payload);
	return await collectResult(run, job, { request_id: job.requestId, style: payload.style, seed: payload.seed });
}

/** Wait for a submitted job, fetch its result and emit the image. */
export async function collectResult(
	run: RunContext,
	job: Pick<SubmittedJob, 'requestId' | 'statusUrl' | 'responseUrl'>,
	meta: ImageMeta,
	pollImmediately = false,
): Promise<INodeExecutionData> {
	const done = await waitForCompletion(run.client, job, {
		pollIntervalMs: run.options.pollIntervalSeconds * 1000,
		// The item's Timeout started before the upload and submit: wait at most what is left of it.
		timeoutMs: run.client.remainingMs() ?? run.options.timeoutSeconds * 1000,
		mode: run.options.pollingMode,
		durations: run.durations,
		economical: () => run.scheduler.constrained,
		signal: run.signal,
		pollImmediately,
	});
	const result = await run.client.result(job, done.body);
	return await emitImage(run, meta, result, done.metrics);
}
