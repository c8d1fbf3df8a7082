import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { DEFAULTS } from '../constants';
import type { Operation } from '../description';
import {
	binaryPropertyNameSchema,
	jobPayloadSchema,
	parseOrFail,
	requestIdSchema,
	runOptionsSchema,
	ValidationFailure,
	type JobPayload,
	type RunOptions,
} from '../validation';

/** A job's image: a URL to send as is, or a binary property to upload first. */
export type ImageInput = { source: 'url' } | { source: 'binary'; propertyName: string; mimeType: string };

export interface JobPlan {
	payload: JobPayload;
	image: ImageInput;
}

/** Placeholder for the image field while a binary is not uploaded yet (never sent). */
const PENDING_UPLOAD = 'https://upload.pending/binary';

const MIME_NOT_IMAGE = /^(?!image\/)(?!application\/octet-stream$)(?!$)/i;

/** Read and check the job fields of item `i`. Throws ValidationFailure naming the field. */
export function readJobPlan(ctx: IExecuteFunctions, i: number): JobPlan {
	const source = ctx.getNodeParameter('imageSource', i, 'url') as string;
	let image: ImageInput = { source: 'url' };
	let imageUrl: unknown;
	if (source === 'binary') {
		const propertyName = parseOrFail(
			binaryPropertyNameSchema,
			ctx.getNodeParameter('binaryPropertyName', i, DEFAULTS.binaryPropertyName),
			{ '': 'Input Binary Property' },
		);
		const binary = ctx.getInputData()[i]?.binary?.[propertyName];
		if (!binary) {
			const present = Object.keys(ctx.getInputData()[i]?.binary ?? {});
			throw new ValidationFailure(
				'"Input Binary Property"',
				`is not on the incoming item (${present.length ? `it has: ${present.join(', ')}` : 'it has no binary data'})`,
				propertyName,
			);
		}
		const mimeType = (binary.mimeType ?? '').toLowerCase();
		if (MIME_NOT_IMAGE.test(mimeType)) {
			throw new ValidationFailure(
				'"Input Binary Property"',
				`is not an image (it is ${mimeType}${binary.fileName ? `, ${binary.fileName}` : ''}); use a JPEG, PNG or WebP photo`,
				propertyName,
			);
		}
		image = { source: 'binary', propertyName, mimeType };
		imageUrl = PENDING_UPLOAD;
	} else {
		imageUrl = ctx.getNodeParameter('imageUrl', i);
	}

	const customLoraUrl = String(ctx.getNodeParameter('customLoraUrl', i, '') ?? '').trim();
	const raw = {
		image: typeof imageUrl === 'string' ? imageUrl.trim() : imageUrl,
		style: ctx.getNodeParameter('style', i, DEFAULTS.style),
		prompt: ctx.getNodeParameter('prompt', i, DEFAULTS.prompt),
		negative_prompt: ctx.getNodeParameter('negativePrompt', i, DEFAULTS.negativePrompt),
		seed: ctx.getNodeParameter('seed', i, DEFAULTS.seed),
		lora_scale: ctx.getNodeParameter('loraScale', i, DEFAULTS.loraScale),
		prompt_strength: ctx.getNodeParameter('promptStrength', i, DEFAULTS.promptStrength),
		denoising_strength: ctx.getNodeParameter('denoisingStrength', i, DEFAULTS.denoisingStrength),
		instant_id_strength: ctx.getNodeParameter('instantIdStrength', i, DEFAULTS.instantIdStrength),
		control_depth_strength: ctx.getNodeParameter('controlDepthStrength', i, DEFAULTS.controlDepthStrength),
		...(customLoraUrl ? { custom_lora_url: customLoraUrl } : {}),
	};
	return { payload: parseOrFail(jobPayloadSchema, raw), image };
}

/** Read and check the Options collection (taken from the first item: it sets how the run behaves). */
export function readRunOptions(ctx: IExecuteFunctions, operation: Operation): RunOptions {
	const options =
		operation === 'getCredits' ? {} : (ctx.getNodeParameter('options', 0, {}) as IDataObject);
	return parseOrFail(runOptionsSchema, {
		binaryPropertyOutput: options.binaryPropertyOutput ?? DEFAULTS.binaryPropertyOutput,
		pollIntervalSeconds: options.pollIntervalSeconds ?? DEFAULTS.pollIntervalSeconds,
		timeoutSeconds: options.timeoutSeconds ?? DEFAULTS.timeoutSeconds,
		maxConcurrency: options.maxConcurrency ?? DEFAULTS.maxConcurrency,
		expectedJobSeconds: options.expectedJobSeconds ?? DEFAULTS.expectedJobSeconds,
		maxRetries: options.maxRetries ?? DEFAULTS.maxRetries,
		maxImageSizeMb: options.maxImageSizeMb ?? DEFAULTS.maxImageSizeMb,
		pollingMode: options.pollingMode ?? DEFAULTS.pollingMode,
		maxRequestsPerMinute: options.maxRequestsPerMinute ?? DEFAULTS.maxRequestsPerMinute,
		maxInputImageSizeMb: options.maxInputImageSizeMb ?? DEFAULTS.maxInputImageSizeMb,
		checkCreditsFirst: options.checkCreditsFirst ?? DEFAULTS.checkCreditsFirst,
		minimumCredits: options.minimumCredits ?? DEFAULTS.minimumCredits,
		// "Download Image" off, saved before "Output" existed, means URL only.
		output: options.output ?? (options.downloadImage === false ? 'url' : DEFAULTS.output),
	});
}

export interface JobReference {
	requestId: string;
	statusUrl: string;
	responseUrl: string;
}

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** Get Result's input: a request id, or a v2 status/result URL as Submit returned it. */
export function readJobReference(ctx: IExecuteFunctions, i: number, baseUrl: string): JobReference {
	const value = parseOrFail(requestIdSchema, ctx.getNodeParameter('requestId', i, ''), {
		'': 'Request ID or Status URL',
	});
	if (/^https?:\/\//i.test(value)) {
		const match = /^(.*\/requests\/([^/?#]+))(\/status)?\/?(?:[?#].*)?$/.exec(value);
		if (!match) {
			throw new ValidationFailure(
				'"Request ID or Status URL"',
				'is not a Segmind v2 request URL (…/v2/requests/<id>/status)',
				value,
			);
		}
		// Polls carry the API key: only ever send them to the credential's API host, so a URL
		// taken from untrusted data (a webhook, a sheet) cannot collect the key elsewhere.
		const apiOrigin = originOf(baseUrl);
		if (originOf(value) !== apiOrigin) {
			throw new ValidationFailure(
				'"Request ID or Status URL"',
				`is not on the Segmind API host of the credential (${apiOrigin}); give the request ID, or a status URL on that host`,
				value,
			);
		}
		return { requestId: match[2], statusUrl: `${match[1]}/status`, responseUrl: match[1] };
	}
	if (!/^[A-Za-z0-9_-]{6,}$/.test(value)) {
		throw new ValidationFailure('"Request ID or Status URL"', 'is not a request ID (letters, digits and "-")', value);
	}
	const base = `${baseUrl.replace(/\/+$/, '')}/v2/requests/${value}`;
	return { requestId: value, statusUrl: `${base}/status`, responseUrl: base };
}
