import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { describeBytes, detectImageType, INPUT_MIME_TYPES, type ImageType } from '../helpers/image';
import type { JobResult } from '../transport/client';
import type { JobPayload } from '../validation';
import { ValidationFailure } from '../validation';
import type { RunContext } from './context';
import { creditFields } from './credits';
import type { JobPlan } from './params';

const FIELD = '"Input Binary Property"';
const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

/**
 * The bytes of item `i`'s binary photo and their real image type; throws ValidationFailure when
 * they are not a JPEG, PNG or WebP photo whatever the MIME type or file name says, or are over
 * "Max Input Image Size (MB)". The router runs this for every item before any request, so a bad
 * file on a late item fails the run before earlier items are uploaded or billed.
 */
export async function readBinaryImage(
	ctx: IExecuteFunctions,
	i: number,
	image: { propertyName: string; mimeType: string },
	maxInputImageSizeMb: number,
): Promise<{ bytes: Buffer; type: ImageType }> {
	const maxBytes = maxInputImageSizeMb * 1024 * 1024;
	const tooLarge = (size: number) =>
		new ValidationFailure(
			FIELD,
			`is ${megabytes(size)}, over the ${maxInputImageSizeMb} MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option`,
			image.propertyName,
		);
	// The size n8n recorded (when it did) refuses a huge file without reading it into memory.
	const declared = ctx.getInputData()[i]?.binary?.[image.propertyName]?.bytes;
	if (typeof declared === 'number' && declared > maxBytes) throw tooLarge(declared);
	const bytes = await ctx.helpers.getBinaryDataBuffer(i, image.propertyName);
	const type = detectImageType(bytes);
	if (!type) {
		throw new ValidationFailure(
			FIELD,
			`is not an image (${describeBytes(bytes, image.mimeType)}); use a JPEG, PNG or WebP photo`,
			image.propertyName,
		);
	}
	if (!INPUT_MIME_TYPES.includes(type.mimeType)) {
		throw new ValidationFailure(
			FIELD,
			`is a ${type.extension.toUpperCase()} image; Segmind's face-to-many takes a JPEG, PNG or WebP photo: convert it first`,
			image.propertyName,
		);
	}
	if (bytes.length > maxBytes) throw tooLarge(bytes.length);
	return { bytes, type };
}

/** The payload to submit: for binary input, upload the file first and use its URL. */
export async function resolveImage(run: RunContext, i: number, plan: JobPlan): Promise<JobPayload> {
	if (plan.image.source === 'url') return plan.payload;
	const { bytes, type } = await readBinaryImage(run.ctx, i, plan.image, run.options.maxInputImageSizeMb);
	const url = await run.client.upload(bytes, type.mimeType);
	return { ...plan.payload, image: url };
}

export interface ImageMeta {
	request_id: string;
	style?: string;
	seed?: number;
}

/**
 * The item a finished job yields, by "Output": Binary (the image as binary data plus its metadata;
 * no output_url, a link that dies after 7 days), URL Only (output_url, nothing downloaded), or Both.
 */
export async function emitImage(
	run: RunContext,
	meta: ImageMeta,
	result: JobResult,
	extraMetrics: IDataObject = {},
): Promise<INodeExecutionData> {
	const { output } = run.options;
	const json: IDataObject = {
		request_id: meta.request_id,
		status: 'COMPLETED',
		...(meta.style ? { style: meta.style } : {}),
		seed: result.seed ?? meta.seed ?? null,
		...(output === 'binary' ? {} : { output_url: result.outputUrl }),
		metrics: { ...extraMetrics, ...result.metrics },
	};
	Object.assign(json, creditFields(json.metrics as IDataObject));
	if (output === 'url') return { json };
	// A few downloads at a time however many jobs are in flight, so memory stays flat.
	const { image, fileName, binary } = await run.downloads.use(async () => {
		const image = await run.client.download(result.outputUrl, meta.request_id);
		const fileName = outputFileName(meta.request_id, image.extension, meta.style);
		return { image, fileName, binary: await run.ctx.helpers.prepareBinaryData(image.bytes, fileName, image.mimeType) };
	});
	json.file_name = fileName;
	json.mime_type = image.mimeType;
	json.file_size = image.bytes.length;
	return { json, binary: { [run.options.binaryPropertyOutput]: binary } };
}

/** `segmind-<style>-<request id>.<ext>`, e.g. segmind-video-game-2c7f….png (style left out when unknown). */
export function outputFileName(requestId: string, extension: string, style?: string): string {
	const stylePart = style ? `${style.replace(/\s+/g, '-').toLowerCase()}-` : '';
	return `segmind-${stylePart}${requestId}.${extension}`;
}
