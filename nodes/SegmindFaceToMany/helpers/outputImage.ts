import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { DownloadedImage } from '../transport/client';
import type { ItemRun } from '../actions/context';
import { creditFields } from './credits';

/** What the item says about its job, whatever the operation. */
export interface ImageMeta {
	request_id: string;
	style?: string;
	/** The seed asked for (-1: random), when the job was sent by this item. */
	seed?: number;
}

/** The seed to report: Segmind's when it says which it used, else the one asked for ("random" for -1). */
function seedOf(reported: number | undefined, asked: number | undefined): number | string | null {
	if (reported !== undefined) return reported;
	if (asked === -1) return 'random';
	return asked ?? null;
}

/**
 * The item a finished job yields, by "Output": Binary (the image as binary data plus its metadata;
 * no output_url, a link that dies after 7 days), URL Only (output_url, nothing downloaded), or Both.
 * `image` fetches the bytes (a download, or the legacy sync answer already in hand).
 */
export async function outputImage(
	item: ItemRun,
	meta: ImageMeta,
	result: { outputUrl?: string; seed?: number; metrics: IDataObject },
	image: () => Promise<DownloadedImage>,
): Promise<INodeExecutionData> {
	const { output, binaryPropertyOutput } = item.options;
	const json: IDataObject = {
		request_id: meta.request_id,
		status: 'COMPLETED',
		...(meta.style ? { style: meta.style } : {}),
		seed: seedOf(result.seed, meta.seed),
		...(output !== 'binary' && result.outputUrl ? { output_url: result.outputUrl } : {}),
		metrics: result.metrics,
		...creditFields(result.metrics),
	};
	if (output === 'url' && result.outputUrl) return { json };
	const { bytes, mimeType, extension } = await image();
	const fileName = outputFileName(meta.request_id, extension, meta.style);
	const binary = await item.ctx.helpers.prepareBinaryData(bytes, fileName, mimeType);
	Object.assign(json, { file_name: fileName, mime_type: mimeType, file_size: bytes.length });
	return { json, binary: { [binaryPropertyOutput]: binary } };
}

/** `segmind-<style>-<request id>.<ext>`, e.g. segmind-video-game-2c7f….png (style left out when unknown). */
export function outputFileName(requestId: string, extension: string, style?: string): string {
	const stylePart = style ? `${style.replace(/\s+/g, '-').toLowerCase()}-` : '';
	return `segmind-${stylePart}${requestId}.${extension}`;
}
