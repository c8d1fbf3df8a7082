import type { INodeExecutionData } from 'n8n-workflow';

import type { ItemRun } from './context';
import { jobPayload, prepareJob, waitForResult, type JobPlan } from './job';
import type { OperationModule } from './operation';
import { downloadTo, outputImage, sentSeed } from './outputImage';

/** Generate Image: input → submit → wait → output. */
export async function generateImage(item: ItemRun, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await jobPayload(item, plan);
	const job = await item.client.submit(payload);
	item.onSubmitted(job.requestId);
	const result = await waitForResult(item, job);
	const meta = { request_id: job.requestId, style: payload.style, seed: sentSeed(payload.seed) };
	return await outputImage(item, meta, result, downloadTo(item, result.outputUrl, job.requestId));
}

export const generate: OperationModule<JobPlan> = {
	option: {
		name: 'Generate Image',
		value: 'generate',
		action: 'Generate an image from a face',
		description: 'Send the photo, wait for the stylised image and return it',
	},
	fields: [],
	prepare: prepareJob,
	execute: generateImage,
};
