import type { IDataObject } from 'n8n-workflow';

import type { Operation } from './operation';
import { jobPayload, prepareJob, type JobPlan } from './job';
import { outputImage } from '../helpers/outputImage';
import { headerValue, toNumber } from '../helpers/values';

/** Sync Generate Image (Legacy): Segmind's v1 call, one request that answers with the image itself. */
export const generateSync: Operation<JobPlan> = {
	option: {
		name: 'Sync Generate Image (Legacy)',
		value: 'generateSync',
		action: 'Generate an image in one request (legacy)',
		description: "Segmind's older one-request API, kept in maintenance mode; prefer Generate Image",
	},
	fields: [],
	sendsJob: true,
	holdsConnection: true,
	prepare: prepareJob,
	async execute(item, plan) {
		const payload = await jobPayload(item, plan);
		const { image, headers } = await item.client.runSync(payload, item.options.timeoutSeconds * 1000);
		const header = (name: string) => toNumber(headerValue(headers, name));
		const requestId = headerValue(headers, 'x-request-id') ?? 'sync';
		const metrics: IDataObject = {};
		if (header('x-cost') !== undefined) metrics.cost = header('x-cost');
		if (header('x-remaining-credits') !== undefined) metrics.remaining_credits = header('x-remaining-credits');
		return await outputImage(
			item,
			{ request_id: requestId, style: payload.style, seed: payload.seed },
			{ seed: header('x-seed-value'), metrics },
			async () => image,
		);
	},
};
