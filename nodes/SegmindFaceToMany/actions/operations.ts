import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { RunContext } from './context';
import { creditFields } from './credits';
import { collectResult } from './generate';
import { emitImage, outputFileName, resolveImage } from './image';
import type { JobPlan, JobReference } from './params';
import { header, jobFailed } from '../transport/responses';

/** Submit: queue the job and return its handles at once. */
export async function submit(run: RunContext, i: number, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await resolveImage(run, i, plan);
	const job = await run.client.submit(payload);
	return {
		json: {
			request_id: job.requestId,
			status: job.status,
			status_url: job.statusUrl,
			response_url: job.responseUrl,
			style: payload.style,
			seed: payload.seed,
		},
	};
}

/** Get Result: look at a job by id; wait for it (default) and download its image when done. */
export async function getResult(run: RunContext, _i: number, ref: JobReference): Promise<INodeExecutionData> {
	const meta = { request_id: ref.requestId };
	if (run.ctx.getNodeParameter('waitForCompletion', _i, true) as boolean) {
		return await collectResult(run, ref, meta, true);
	}
	const state = await run.client.status(ref);
	if (state.state === 'FAILED') throw jobFailed(ref.requestId, state.error, state.body);
	if (state.state === 'PENDING') {
		return {
			json: {
				request_id: ref.requestId,
				status: state.status,
				status_url: ref.statusUrl,
				response_url: ref.responseUrl,
				metrics: state.metrics,
			},
		};
	}
	const result = await run.client.result(ref, state.body);
	return await emitImage(run, meta, result, state.metrics);
}

/** Generate (Sync, v1): one request that answers with the image bytes (streamed into n8n's binary store). */
export async function generateSync(run: RunContext, i: number, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await resolveImage(run, i, plan);
	const image = await run.client.runSync(payload, run.options.timeoutSeconds * 1000, async (source, info) => {
		const fileName = outputFileName(header(info.headers, 'x-request-id') ?? 'sync', info.extension, payload.style);
		return { fileName, binary: await run.ctx.helpers.prepareBinaryData(source, fileName, info.mimeType) };
	});
	const number = (name: string) => {
		const value = Number(header(image.headers, name));
		return header(image.headers, name) !== undefined && Number.isFinite(value) ? value : undefined;
	};
	const requestId = header(image.headers, 'x-request-id') ?? 'sync';
	const metrics: IDataObject = {};
	if (number('x-cost') !== undefined) metrics.cost = number('x-cost');
	if (number('x-remaining-credits') !== undefined) metrics.remaining_credits = number('x-remaining-credits');
	return {
		json: {
			request_id: requestId,
			status: 'COMPLETED',
			style: payload.style,
			seed: number('x-seed-value') ?? payload.seed,
			metrics,
			...creditFields(metrics),
			file_name: image.stored.fileName,
			mime_type: image.mimeType,
			file_size: image.bytes,
		},
		binary: { [run.options.binaryPropertyOutput]: image.stored.binary },
	};
}

/** Get Credits: the account balance. */
export async function getCredits(run: RunContext): Promise<INodeExecutionData> {
	return { json: await run.client.credits() };
}
