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
