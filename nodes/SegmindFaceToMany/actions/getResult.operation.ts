import type { INodeProperties } from 'n8n-workflow';
import { z } from 'zod';

import type { Operation } from './operation';
import { waitForResult } from './job';
import { downloadTo, outputImage } from '../helpers/outputImage';
import { labelOf, readField, ValidationFailure } from '../helpers/parameters';
import { trimSlash } from '../helpers/values';
import { jobFailed } from '../transport/responses';
import { originOf } from '../transport/wire';

const requestIdField: INodeProperties = {
	displayName: 'Request ID or Status URL',
	name: 'requestId',
	type: 'string',
	default: '',
	required: true,
	displayOptions: { show: { operation: ['getResult'] } },
	placeholder: 'e.g. 2c7f59ea-13f1-402c-9353-915a2b5a2124',
	description: 'The request_id (or status_url) that Submit Job returned or an error named',
};

const waitForCompletionField: INodeProperties = {
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	displayOptions: { show: { operation: ['getResult'] } },
	description: 'Whether to wait until the job is done; off returns the current status at once',
};

/** Which job to look at, and where its status and result are. */
export interface JobReference {
	requestId: string;
	statusUrl: string;
	responseUrl: string;
	wait: boolean;
}

const FIELD = labelOf(requestIdField);
const requestIdSchema = z
	.string({ invalid_type_error: 'must be text' })
	.trim()
	.min(1, 'is required: the request_id or status_url that the Submit Job operation returned');

/** Get Job Result: look at a job by ID; wait for it (default) and return its image when done. */
export const getResult: Operation<JobReference> = {
	option: {
		name: 'Get Job Result',
		value: 'getResult',
		action: 'Get a job result',
		description: 'Look up a job by request ID and return its image when it is done',
	},
	fields: [requestIdField, waitForCompletionField],
	sendsJob: false,
	waitsForJobs: true,
	async prepare(ctx, i, env) {
		const value = readField(ctx, requestIdField, i, { schema: requestIdSchema });
		const wait = readField<boolean>(ctx, waitForCompletionField, i);
		if (/^https?:\/\//i.test(value)) {
			const match = /^(.*\/requests\/([^/?#]+))(\/status)?\/?(?:[?#].*)?$/.exec(value);
			if (!match) throw new ValidationFailure(FIELD, 'is not a Segmind request URL (…/v2/requests/<id>/status)', value);
			// Status checks carry the API key: only ever send them to the credential's API host, so a URL
			// taken from untrusted data (a webhook, a sheet) cannot collect the key elsewhere.
			const apiOrigin = originOf(env.baseUrl);
			if (originOf(match[1]) !== apiOrigin) {
				throw new ValidationFailure(
					FIELD,
					`is not on the Segmind API host of the credential (${apiOrigin}); give the request ID, or a status URL on that host`,
					value,
				);
			}
			const base = match[1].replace(/^https?:/i, (scheme) => scheme.toLowerCase());
			return { requestId: match[2], statusUrl: `${base}/status`, responseUrl: base, wait };
		}
		if (!/^[A-Za-z0-9_-]{6,}$/.test(value)) {
			throw new ValidationFailure(FIELD, 'is not a request ID (letters, digits and "-")', value);
		}
		const base = `${trimSlash(env.baseUrl)}/v2/requests/${value}`;
		return { requestId: value, statusUrl: `${base}/status`, responseUrl: base, wait };
	},
	async execute(item, ref) {
		const meta = { request_id: ref.requestId };
		const download = (url: string) => downloadTo(item, url, ref.requestId);
		if (ref.wait) {
			const result = await waitForResult(item, ref, true);
			return await outputImage(item, meta, result, download(result.outputUrl));
		}
		const state = await item.client.status(ref);
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
		const result = await item.client.result(ref, state.body);
		const merged = { ...result, metrics: { ...state.metrics, ...result.metrics } };
		return await outputImage(item, meta, merged, download(result.outputUrl));
	},
};
