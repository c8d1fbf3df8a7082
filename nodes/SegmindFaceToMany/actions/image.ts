import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { describeBytes, detectImageType, type ImageType } from '../helpers/image';
import type { JobResult } from '../transport/client';
import type { JobPayload } from '../validation';
import { ValidationFailure } from '../validation';
import type { RunContext } from './context';
import type { JobPlan } from './params';

/**
 * The bytes of item `i`'s binary photo and their real image type; throws ValidationFailure when
 * they are not an image whatever the MIME type says. The router runs this for every item before
 * any request, so a mislabelled file on a late item fails the run before earlier items are billed.
 */
export async function readBinaryImage(
	ctx: IExecuteFunctions,
	i: number,
	image: { propertyName: string; mimeType: string },
): Promise<{ bytes: Buffer; type: ImageType }> {
	const bytes = await ctx.helpers.getBinaryDataBuffer(i, image.propertyName);
	const type = detectImageType(bytes);
	if (!type) {
		throw new ValidationFailure(
			'"Input Binary Property"',
			`is not an image (${describeBytes(bytes, image.mimeType)}); use a PNG, JPEG, WebP, GIF or BMP photo`,
			image.propertyName,
		);
	}
	return { bytes, type };
}

/** The payload to submit: for binary input, upload the file first and use its URL. */
export async function resolveImage(run: RunContext, i: number, plan: JobPlan): Promise<JobPayload> {
	if (plan.image.source === 'url') return plan.payload;
	const { bytes, type } = await readBinaryImage(run.ctx, i, plan.image);
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
	if (output === 'url') return { json };
	const image = await run.client.download(result.outputUrl, meta.request_id);
	const fileName = outputFileName(meta.request_id, image.extension, meta.style);
	const binary = await run.ctx.helpers.prepareBinaryData(image.bytes, fileName, image.mimeType);
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
