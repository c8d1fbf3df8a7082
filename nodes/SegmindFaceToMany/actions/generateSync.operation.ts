import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ItemRun } from './context';
import { jobPayload, prepareJob, type JobPlan } from './job';
import type { OperationModule } from './operation';
import { binaryStore, outputFileName, sentSeed, storedImageItem } from './outputImage';
import { toNumber } from '../helpers/values';
import { header } from '../transport/wire';

/** Sync Generate Image (Legacy): Segmind's v1 call, one request that answers with the image itself. */
export async function generateImageSync(item: ItemRun, plan: JobPlan): Promise<INodeExecutionData> {
	const payload = await jobPayload(item, plan);
	const requestIdOf = (headers: Parameters<typeof header>[0]) => header(headers, 'x-request-id') ?? 'sync';
	// The answer is the image, streamed into n8n's binary store as it arrives.
	const file = await item.client.runSync(
		payload,
		item.options.timeoutSeconds * 1000,
		binaryStore(item, (info) => outputFileName(requestIdOf(info.headers), info.extension, payload.style)),
	);
	const number = (name: string) => toNumber(header(file.headers, name));
	const metrics: IDataObject = {};
	if (number('x-cost') !== undefined) metrics.cost = number('x-cost');
	if (number('x-remaining-credits') !== undefined) metrics.remaining_credits = number('x-remaining-credits');
	return storedImageItem(
		item,
		{ request_id: requestIdOf(file.headers), style: payload.style, seed: sentSeed(payload.seed) },
		{ seed: number('x-seed-value'), metrics },
		file,
	);
}

export const generateSync: OperationModule<JobPlan> = {
	option: {
		name: 'Sync Generate Image (Legacy)',
		value: 'generateSync',
		action: 'Generate an image in one request (legacy)',
		description: "Segmind's older one-request API, kept in maintenance mode; prefer Generate Image",
	},
	fields: [],
	prepare: prepareJob,
	execute: generateImageSync,
};
