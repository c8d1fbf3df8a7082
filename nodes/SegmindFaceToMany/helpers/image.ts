/** Recognise image bytes by their signature, so a mislabelled file is caught before it costs a job. */

const SIGNATURES: Array<{ mimeType: string; extension: string; test: (b: Buffer) => boolean }> = [
	{
		mimeType: 'image/png',
		extension: 'png',
		test: (b) => b.length > 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a,
	},
	{ mimeType: 'image/jpeg', extension: 'jpg', test: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{
		mimeType: 'image/webp',
		extension: 'webp',
		test: (b) => b.length > 12 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP',
	},
	{ mimeType: 'image/gif', extension: 'gif', test: (b) => b.length > 6 && b.toString('ascii', 0, 4) === 'GIF8' },
	{ mimeType: 'image/bmp', extension: 'bmp', test: (b) => b.length > 2 && b.toString('ascii', 0, 2) === 'BM' },
];

export interface ImageType {
	mimeType: string;
	extension: string;
}

/** What face-to-many takes as input photo; GIF and BMP are recognised only to name them in the error. */
export const INPUT_MIME_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/** The image type the bytes say they are, or undefined when they are not a known image. */
export function detectImageType(bytes: Buffer): ImageType | undefined {
	const hit = SIGNATURES.find((s) => s.test(bytes));
	return hit ? { mimeType: hit.mimeType, extension: hit.extension } : undefined;
}

/** What a file looks like, for error messages: its declared MIME type or first bytes. */
export function describeBytes(bytes: Buffer, declaredMimeType?: string): string {
	if (bytes.toString('ascii', 0, 5) === '%PDF-') return 'a PDF document';
	const start = bytes.toString('utf8', 0, 64).trimStart().toLowerCase();
	if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page';
	if (start.startsWith('{') || start.startsWith('[')) return 'JSON text';
	return declaredMimeType ? `a file of type ${declaredMimeType}` : 'not a recognised image';
}

const PNG_SIGNATURE_LENGTH = 8;
/** Bytes after a JPEG's EOI marker that are still accepted as padding (zeros, line ends, spaces). */
const JPEG_PADDING = new Set([0x00, 0x0a, 0x0d, 0x20]);
const TAIL_BYTES = 64;

/**
 * Checks, while the bytes stream past, that an image is whole: a PNG's chunks chain from the
 * signature through IEND; a JPEG starts with SOI and ends with EOI (trailing padding allowed);
 * a WebP holds the byte count its RIFF header declares. It keeps a few bytes only, so any size
 * can be checked in constant memory. Other types (GIF, BMP) are not checked.
 */
export class ImageCompleteness {
	private total = 0;

	private readonly head: number[] = [];

	private tail = Buffer.alloc(0);

	/** PNG: offset of the next chunk header, the partial header bytes seen, and where IEND ends. */
	private nextChunk = PNG_SIGNATURE_LENGTH;

	private chunkHeader: number[] = [];

	private pngEnd?: number;

	private pngBroken?: string;

	constructor(private readonly type: ImageType) {}

	push(chunk: Buffer): void {
		const start = this.total;
		this.total += chunk.length;
		for (let i = 0; i < chunk.length && this.head.length < 16; i++) this.head.push(chunk[i]);
		this.tail = Buffer.concat([this.tail, chunk.subarray(Math.max(0, chunk.length - TAIL_BYTES))]);
		if (this.tail.length > TAIL_BYTES) this.tail = this.tail.subarray(this.tail.length - TAIL_BYTES);
		if (this.type.mimeType === 'image/png') this.walkPng(chunk, start);
	}

	private walkPng(chunk: Buffer, start: number): void {
		const end = start + chunk.length;
		while (this.pngEnd === undefined && !this.pngBroken && this.nextChunk < end) {
			const headerStart = this.nextChunk + this.chunkHeader.length;
			if (headerStart >= end) return;
			if (headerStart < start) return; // cannot happen: headers are read as they pass
			this.chunkHeader.push(chunk[headerStart - start]);
			if (this.chunkHeader.length < 8) continue;
			const header = Buffer.from(this.chunkHeader);
			this.chunkHeader = [];
			const length = header.readUInt32BE(0);
			const type = header.toString('latin1', 4, 8);
			if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) {
				this.pngBroken = 'a damaged chunk';
				return;
			}
			this.nextChunk += 12 + length;
			if (type === 'IEND') this.pngEnd = this.nextChunk;
		}
	}

	/** Undefined when the image is whole; otherwise what is wrong, e.g. "it ends before IEND". */
	problem(): string | undefined {
		const head = Buffer.from(this.head);
		switch (this.type.mimeType) {
			case 'image/png':
				if (this.pngBroken) return this.pngBroken;
				if (this.pngEnd === undefined || this.total < this.pngEnd) return `the PNG ends after ${this.total} bytes, before its IEND chunk`;
				return undefined;
			case 'image/jpeg': {
				if (head.length < 2 || head[0] !== 0xff || head[1] !== 0xd8) return 'the JPEG has no start marker';
				let end = this.tail.length;
				while (end > 0 && JPEG_PADDING.has(this.tail[end - 1])) end--;
				if (end < 2 || this.tail[end - 2] !== 0xff || this.tail[end - 1] !== 0xd9 || this.total < 4) {
					return `the JPEG ends after ${this.total} bytes, without its end marker`;
				}
				return undefined;
			}
			case 'image/webp': {
				if (head.length < 12) return `the WebP ends after ${this.total} bytes, inside its header`;
				const declared = head.readUInt32LE(4) + 8;
				if (this.total < declared) return `the WebP ends after ${this.total} of the ${declared} bytes its header declares`;
				return undefined;
			}
			default:
				return undefined;
		}
	}
}

/** Undefined when `bytes` are a whole image of `type`, else what is wrong. */
export function imageProblem(bytes: Buffer, type: ImageType): string | undefined {
	const check = new ImageCompleteness(type);
	check.push(bytes);
	return check.problem();
}
