/** Small readers of loosely typed values from Segmind's answers. */

/** A finite number, from a number or numeric text ("0.0246"); otherwise undefined. */
export function toNumber(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
	return Number.isFinite(n) ? n : undefined;
}

/** One HTTP header's value (the first, when it came several times). */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** `url` without trailing slashes, to append a path to. */
export const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Bytes as megabytes for messages, e.g. "12.3 MB". */
export const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
