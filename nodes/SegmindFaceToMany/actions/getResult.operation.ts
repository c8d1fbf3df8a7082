import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { z } from 'zod';

import type { ItemRun, PrepareEnv } from './context';
import { waitForResult } from './job';
import type { OperationModule } from './operation';
import { downloadTo, outputImage, type ImageMeta } from './outputImage';
import { declareField, labelOf, readField, ValidationFailure } from '../helpers/parameters';
import { STYLES } from '../constants';
import { trimSlash } from '../helpers/values';
import { jobFailed } from '../transport/responses';
import { originOf } from '../transport/wire';

const requestIdField = declareField({
	displayName: 'Request ID or Status URL',
	name: 'requestId',
	type: 'string',
	// It nearly always follows Submit Job: the incoming item's request_id.
	default: '={{ $json.request_id }}',
	required: true,
	displayOptions: { show: { operation: ['getResult'] } },
	placeholder: 'e.g. 2c7f59ea-13f1-402c-9353-915a2b5a2124',
	hint: "By default the incoming item's request_id, as Submit Job returns it",
	description: 'The request_id (or status_url) that Submit Job returned or an error named',
});

const waitForCompletionField = declareField({
	displayName: 'Wait for Completion',
	name: 'waitForCompletion',
	type: 'boolean',
	default: true,
	displayOptions: { show: { operation: ['getResult'] } },
	description: 'Whether to wait until the job is done; off returns the current status at once',
});

/** Which job to look at, and where its status and result are; what is known of how it was sent. */
export interface JobReference {
	requestId: string;
	statusUrl: string;
	responseUrl: string;
	wait: boolean;
	job: Pick<ImageMeta, 'style' | 'seed'>;
}

const FIELD = labelOf(requestIdField);
const requestIdSchema = z.preprocess(
	(value) => value ?? '',
	z
		.string({ invalid_type_error: 'must be text' })
		.trim()
		.min(
			1,
			"is required: the incoming item has no request_id to take. Put Get Job Result after Submit Job, or enter the request ID (or status URL) it returned",
		),
);

/**
 * Style and seed of the job when the incoming item is that job's Submit Job output (the usual
 * Submit → Wait → Get Job Result chain); otherwise they are unknown (null): Segmind does not say.
 */
function sentWith(incoming: IDataObject, requestId: string): JobReference['job'] {
	if (incoming.request_id !== requestId) return { style: null, seed: null };
	const style = STYLES.find((known) => known === incoming.style) ?? null;
	const seed = incoming.seed === 'random' || typeof incoming.seed === 'number' ? incoming.seed : null;
	return { style, seed };
}

/** Item `i`'s job: its request ID or status URL, read and checked (a URL only on the credential's API host). */
export async function readJobReference(ctx: IExecuteFunctions, i: number, env: PrepareEnv): Promise<JobReference> {
	const value = readField(ctx, requestIdField, i, { schema: requestIdSchema });
	const wait = readField(ctx, waitForCompletionField, i);
	const incoming = ctx.getInputData()[i]?.json ?? {};
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
		return { requestId: match[2], statusUrl: `${base}/status`, responseUrl: base, wait, job: sentWith(incoming, match[2]) };
	}
	if (!/^[A-Za-z0-9_-]{6,}$/.test(value)) {
		throw new ValidationFailure(FIELD, 'is not a request ID (letters, digits and "-")', value);
	}
	const base = `${trimSlash(env.baseUrl)}/v2/requests/${value}`;
	return { requestId: value, statusUrl: `${base}/status`, responseUrl: base, wait, job: sentWith(incoming, value) };
}

/** Get Job Result: look at a job by ID; wait for it (default) and return its image when done. */
export async function getJobResult(item: ItemRun, ref: JobReference): Promise<INodeExecutionData> {
	const meta: ImageMeta = { request_id: ref.requestId, ...ref.job };
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
				style: meta.style,
				seed: meta.seed,
				status_url: ref.statusUrl,
				response_url: ref.responseUrl,
				metrics: state.metrics,
			},
		};
	}
	const result = await item.client.result(ref, state.body);
	const merged = { ...result, metrics: { ...state.metrics, ...result.metrics } };
	return await outputImage(item, meta, merged, download(result.outputUrl));
}

export const getResult: OperationModule<JobReference> = {
	option: {
		name: 'Get Job Result',
		value: 'getResult',
		action: 'Get a job result',
		description: 'Look up a job by request ID and return its image when it is done',
	},
	fields: [requestIdField, waitForCompletionField],
	prepare: readJobReference,
	execute: getJobResult,
};
