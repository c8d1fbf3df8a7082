/**
 * What crosses the wire, and the small readers of it: the job body Segmind receives, an HTTP
 * answer and its headers, where a URL points. The lowest file of transport/ (it imports only
 * constants), so actions/ and every other transport file can share these shapes.
 */
import type { Style } from '../constants';

/** The JSON body of a face-to-many job, exactly as Segmind receives it (flat, Segmind's names). */
export interface JobPayload {
	image: string;
	style: Style;
	prompt: string;
	negative_prompt: string;
	seed: number;
	lora_scale: number;
	prompt_strength: number;
	denoising_strength: number;
	instant_id_strength: number;
	control_depth_strength: number;
	custom_lora_url?: string;
}

export type Headers = Record<string, string | string[] | undefined>;

/** An answer, whatever its status code. */
export interface HttpResponse {
	statusCode: number;
	headers: Headers;
	body: unknown;
}

export const isSuccess = (statusCode: number) => statusCode >= 200 && statusCode < 300;

/** A header's first value (`name` in lower case, as Node gives them). */
export function header(headers: Headers, name: string): string | undefined {
	const value = headers[name];
	return Array.isArray(value) ? value[0] : value;
}

function parseUrl(url: string): URL | undefined {
	try {
		return new URL(url);
	} catch {
		return undefined;
	}
}

/** The origin of a URL (`https://api.segmind.com`), or undefined when it is not one. */
export const originOf = (url: string): string | undefined => parseUrl(url)?.origin;

/** The host of a URL (`images.segmind.com`, with its port if any), or the text itself when it is not one. */
export const hostOf = (url: string): string => parseUrl(url)?.host ?? url;

/** A body n8n handed over whole (Buffer, ArrayBuffer, text or parsed JSON), as bytes. */
export function toBuffer(body: unknown): Buffer {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof ArrayBuffer) return Buffer.from(body);
	if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body);
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body));
}
