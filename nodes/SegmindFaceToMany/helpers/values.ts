/** Small readers of loosely typed values from Segmind's answers. */

/** A finite number, from a number or numeric text ("0.0246"); otherwise undefined. */
export function toNumber(value: unknown): number | undefined {
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
	return Number.isFinite(n) ? n : undefined;
}

/** `url` without trailing slashes, to append a path to. */
export const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Milliseconds as seconds for messages, to a tenth, e.g. "4.2 s". */
export const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 100) / 10)} s`;

/** Bytes as megabytes for messages, e.g. "12.3 MB". */
export const megabytes = (bytes: number, digits = 1) => `${(bytes / 1048576).toFixed(digits)} MB`;
