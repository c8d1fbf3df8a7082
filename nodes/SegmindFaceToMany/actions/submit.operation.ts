import type { INodeExecutionData } from 'n8n-workflow';

import type { ItemRun } from './context';
import { jobPayload, prepareJob, type JobPlan } from './job';
import type { OperationModule } from './operation';
import { sentSeed } from './outputImage';

/** Submit Job: send the job and return its handles at once (collect it later with Get Job Result). */
export async function submitJob(item: ItemRun, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await jobPayload(item, plan);
	const job = await item.client.submit(payload);
	return {
		json: {
			request_id: job.requestId,
			status: job.status,
			style: payload.style,
			seed: sentSeed(payload.seed),
			status_url: job.statusUrl,
			response_url: job.responseUrl,
		},
	};
}

export const submit: OperationModule<JobPlan> = {
	option: {
		name: 'Submit Job',
		value: 'submit',
		action: 'Submit a job without waiting',
		description: 'Send the photo and return the request ID at once, to collect the image later with Get Job Result',
	},
	fields: [],
	prepare: prepareJob,
	execute: submitJob,
};
