import type { Operation } from './operation';
import { jobPayload, prepareJob, waitForResult, type JobPlan } from './job';
import { downloadTo, outputImage, sentSeed } from './outputImage';

/** Generate Image: input → submit → wait → output. */
export const generate: Operation<JobPlan> = {
	option: {
		name: 'Generate Image',
		value: 'generate',
		action: 'Generate an image from a face',
		description: 'Send the photo, wait for the stylised image and return it',
	},
	fields: [],
	sendsJob: true,
	waitsForJobs: true,
	prepare: prepareJob,
	async execute(item, plan) {
		const payload = await jobPayload(item, plan);
		const job = await item.client.submit(payload);
		item.onSubmitted(job.requestId);
		const result = await waitForResult(item, job);
		const meta = { request_id: job.requestId, style: payload.style, seed: sentSeed(payload.seed) };
		return await outputImage(item, meta, result, downloadTo(item, result.outputUrl, job.requestId));
	},
};
