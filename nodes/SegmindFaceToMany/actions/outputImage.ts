import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ItemRun } from './context';
import type { Style } from '../constants';
import type { ImageInfo, ImageStore, StoredImage } from '../transport/client';
import { creditFields } from './credits';

/**
 * A job's seed as every operation reports it: the number, "random" when a random seed (-1) was
 * asked and Segmind did not say which it used, null when not known (a job this item did not send).
 */
export type Seed = number | 'random' | null;

/** The seed a job was sent with, as reported. */
export const sentSeed = (seed: number): Seed => (seed === -1 ? 'random' : seed);

/** What the item says about its job, whatever the operation (null: not known). */
export interface ImageMeta {
	request_id: string;
	style: Style | null;
	seed: Seed;
}

/** An image in n8n's binary store, under the file name it was given. */
export type StoredFile = StoredImage<{ binary: IBinaryData; fileName: string }>;

/** Streams an image answer into n8n's binary store (memory or disk, as n8n is set up). */
export function binaryStore(item: ItemRun, fileName: (info: ImageInfo) => string): ImageStore<StoredFile['stored']> {
	return async (source, info) => {
		const name = fileName(info);
		return { fileName: name, binary: await item.ctx.helpers.prepareBinaryData(source, name, info.mimeType) };
	};
}

/** Downloads the output image at `url` (a public link: no API key) into the binary store. */
export function downloadTo(item: ItemRun, url: string, requestId: string) {
	return async (store: ImageStore<StoredFile['stored']>): Promise<StoredFile> => await item.client.downloadImage(url, requestId, store);
}

/**
 * The item a finished job yields, by "Output": Binary (the image as binary data plus its metadata;
 * no output_url, a link that dies after 7 days), URL Only (output_url, nothing downloaded), or Both.
 * `fetchImage` brings the bytes into the store when they are wanted (the download of the result).
 */
export async function outputImage(
	item: ItemRun,
	meta: ImageMeta,
	result: { outputUrl: string; seed?: number; metrics: IDataObject },
	fetchImage: (store: ImageStore<StoredFile['stored']>) => Promise<StoredFile>,
): Promise<INodeExecutionData> {
	const json = jobJson(meta, result);
	if (item.options.output !== 'binary') json.output_url = result.outputUrl;
	if (item.options.output === 'url') return { json };
	// A few downloads at a time however many jobs are in flight, so memory stays flat.
	const store = binaryStore(item, (info) => outputFileName(meta.request_id, info.extension, meta.style));
	const file = await item.downloads.use(async () => await fetchImage(store));
	return withFile(item, json, file);
}

/** The item of a job whose image is already in the store (the legacy sync call answers with it). */
export function storedImageItem(
	item: ItemRun,
	meta: ImageMeta,
	result: { seed?: number; metrics: IDataObject },
	file: StoredFile,
): INodeExecutionData {
	return withFile(item, jobJson(meta, result), file);
}

/**
 * The JSON of a finished job, the same fields whatever the operation: request_id, status, style,
 * seed (Segmind's when it says which it used), metrics, cost, remaining_credits; then output_url
 * and the file's name, type and size as the Output option adds them.
 */
function jobJson(meta: ImageMeta, result: { seed?: number; metrics: IDataObject }): IDataObject {
	return {
		request_id: meta.request_id,
		status: 'COMPLETED',
		style: meta.style,
		seed: result.seed ?? meta.seed,
		metrics: result.metrics,
		...creditFields(result.metrics),
	};
}

function withFile(item: ItemRun, json: IDataObject, file: StoredFile): INodeExecutionData {
	Object.assign(json, { file_name: file.stored.fileName, mime_type: file.mimeType, file_size: file.bytes });
	return { json, binary: { [item.options.binaryPropertyOutput]: file.stored.binary } };
}

/** `segmind-<style>-<request id>.<ext>`, e.g. segmind-video-game-2c7f….png (style left out when unknown). */
export function outputFileName(requestId: string, extension: string, style: string | null): string {
	const stylePart = style ? `${style.replace(/\s+/g, '-').toLowerCase()}-` : '';
	return `segmind-${stylePart}${requestId}.${extension}`;
}
