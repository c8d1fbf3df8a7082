/**
 * Bad input, table-driven: each case fails as a NodeOperationError that names the field (by its
 * UI label) and says what is allowed, and the local Segmind server saw no request at all.
 * Values come both as fixed parameters and from expressions on the incoming item.
 */
import type { IDataObject } from 'n8n-workflow';

import { FAST, nodeError, runNode, useServer } from './support';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng } = require('../server/images');

const ctx = useServer();

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n').toString('base64');
const GIF = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64)]).toString('base64');
const BMP = Buffer.concat([Buffer.from('BM'), Buffer.alloc(64)]).toString('base64');
/** A whole PNG of `mb` megabytes (the size check comes before any request). */
const pngOf = (mb: number) => (wholePng(Math.round(mb * 1048576)) as Buffer).toString('base64');

interface Case {
	name: string;
	parameters: IDataObject;
	items?: unknown[];
	/** The message, exactly or as a pattern. */
	message: string | RegExp;
}

const cases: Case[] = [
	{
		name: 'CFG (Prompt Strength) 25',
		parameters: { promptStrength: 25 },
		message: 'Invalid "Prompt Strength (CFG)": 25 must be between 0 and 20',
	},
	{
		name: 'Denoising Strength -0.1',
		parameters: { denoisingStrength: -0.1 },
		message: 'Invalid "Denoising Strength": -0.1 must be between 0 and 1',
	},
	{
		name: 'seed 2^33',
		parameters: { seed: 2 ** 33 },
		message: 'Invalid "Seed": 8589934592 must be between -1 and 4294967295',
	},
	{
		name: 'seed 1.5',
		parameters: { seed: 1.5 },
		message: 'Invalid "Seed": 1.5 must be a whole number between -1 and 4294967295',
	},
	{
		name: 'seed from an expression that is not a number',
		parameters: { seed: '={{ $json.seed }}' },
		items: [{ json: { seed: 'lucky' } }],
		message: 'Invalid "Seed": "lucky" must be a number',
	},
	{
		name: 'image ftp://x',
		parameters: { imageUrl: 'ftp://x' },
		message: 'Invalid "Image URL": "ftp://x" must be an http:// or https:// URL',
	},
	{
		name: 'image file:///home/me/face.jpg',
		parameters: { imageUrl: 'file:///home/me/face.jpg' },
		message: 'Invalid "Image URL": "file:///home/me/face.jpg" must be an http:// or https:// URL',
	},
	{
		name: 'image as a data: URL',
		parameters: { imageUrl: 'data:image/png;base64,iVBORw0KGgo=' },
		message: 'Invalid "Image URL": "data:image/png;base64,iVBORw0KGgo=" must be an http:// or https:// URL',
	},
	{
		name: 'image "not a url"',
		parameters: { imageUrl: 'not a url' },
		message: 'Invalid "Image URL": "not a url" must be an http:// or https:// URL',
	},
	{
		name: 'image empty (from an expression)',
		parameters: { imageUrl: '={{ $json.photo }}' },
		items: [{ json: { photo: '' } }],
		message: 'Invalid "Image URL": the value is required: a public http:// or https:// link to the face photo',
	},
	{
		name: 'a LoRA URL from a host the API rejects',
		parameters: { customLoraUrl: 'https://huggingface.co/someone/lora/resolve/main/trained_model.tar' },
		message:
			'Invalid "Custom LoRA URL": "https://huggingface.co/someone/lora/resolve/main/trained_model.tar" must look like https://replicate.delivery/pbxt/<id>/trained_model.tar or https://pbxt.replicate.delivery/<id>/trained_model.tar',
	},
	{
		name: 'a missing binary property',
		parameters: { imageSource: 'binary', binaryPropertyName: 'photo' },
		items: [{ file: 'fixtures/face.png', property: 'data' }],
		message: 'Invalid "Input Data Field Name": "photo" is not on the incoming item (it has: data)',
	},
	{
		name: 'an item with no binary data at all',
		parameters: { imageSource: 'binary' },
		items: [{ json: { name: 'no file' } }],
		message: 'Invalid "Input Data Field Name": "data" is not on the incoming item (it has no binary data)',
	},
	{
		name: 'a PDF declared application/pdf',
		parameters: { imageSource: 'binary' },
		items: [{ bytes: PDF, mimeType: 'application/pdf', fileName: 'cv.pdf' }],
		message:
			'Invalid input photo: the file in "data" (cv.pdf) is not an image (it is application/pdf); use a JPEG, PNG or WebP photo',
	},
	{
		name: 'a PDF mislabelled image/png',
		parameters: { imageSource: 'binary' },
		items: [{ bytes: PDF, mimeType: 'image/png', fileName: 'face.png' }],
		message:
			'Invalid input photo: the file in "data" (face.png) is not an image (a PDF document); use a JPEG, PNG or WebP photo',
	},
	{
		name: 'a GIF (declared image/gif)',
		parameters: { imageSource: 'binary' },
		items: [{ bytes: GIF, mimeType: 'image/gif', fileName: 'face.gif' }],
		message:
			'Invalid input photo: the file in "data" (face.gif) is a GIF image; Segmind\'s face-to-many takes a JPEG, PNG or WebP photo: convert it first',
	},
	{
		name: 'a BMP mislabelled image/jpeg',
		parameters: { imageSource: 'binary' },
		items: [{ bytes: BMP, mimeType: 'image/jpeg', fileName: 'face.jpg' }],
		message:
			'Invalid input photo: the file in "data" (face.jpg) is a BMP image; Segmind\'s face-to-many takes a JPEG, PNG or WebP photo: convert it first',
	},
	{
		name: 'a photo over "Max Input Image Size (MB)"',
		parameters: { imageSource: 'binary', options: { ...FAST, maxInputImageSizeMb: 1 } },
		items: [{ bytes: pngOf(1.5), mimeType: 'image/png', fileName: 'big.png' }],
		message:
			'Invalid input photo: the file in "data" (big.png) is 1.5 MB, over the 1 MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option',
	},
	{
		name: 'an unknown style from an expression',
		parameters: { style: '={{ $json.style }}' },
		items: [{ json: { style: 'Anime' } }],
		message: 'Invalid "Style": "Anime" must be one of "3D", "Clay", "Emoji", "Pixels", "Toy", "Video Game"',
	},
	{
		name: 'an empty request ID for Get Result',
		parameters: { operation: 'getResult', requestId: '={{ $json.id }}' },
		items: [{ json: { id: '' } }],
		message: /^Invalid "Request ID or Status URL": the value is required: .*request_id.*Submit Job/,
	},
	{
		name: 'no request_id on the incoming item for Get Result (the default reads it from there)',
		parameters: { operation: 'getResult' },
		items: [{ json: { photo: 'https://example.com/a.jpg' } }],
		message:
			'Invalid "Request ID or Status URL": the value is required: the incoming item has no request_id to take. Put Get Job Result after Submit Job, or enter the request ID (or status URL) it returned',
	},
	{
		name: 'a request ID with spaces for Get Result',
		parameters: { operation: 'getResult', requestId: 'my job 1' },
		message: 'Invalid "Request ID or Status URL": "my job 1" is not a request ID (letters, digits and "-")',
	},
	{
		name: 'a URL that is not a Segmind v2 request URL for Get Result',
		parameters: { operation: 'getResult', requestId: 'https://example.com/jobs/42' },
		message:
			'Invalid "Request ID or Status URL": "https://example.com/jobs/42" is not a Segmind request URL (…/v2/requests/<id>/status)',
	},
	{
		name: 'Timeout (Seconds) 0',
		parameters: { options: { ...FAST, timeoutSeconds: 0 } },
		message: 'Invalid "Timeout (Seconds)": 0 must be between 1 and 3600',
	},
	{
		name: 'Max Jobs in Flight 5000',
		parameters: { options: { ...FAST, maxConcurrency: 5000 } },
		message: 'Invalid "Max Jobs in Flight": 5000 must be between 0 and 1000',
	},
];

describe.each(['generate', 'submit', 'generateSync'])('operation %s', (operation) => {
	const forOperation = cases.filter((c) => !c.parameters.operation);
	test.each(forOperation.map((c) => [c.name, c] as const))('%s → NodeOperationError, nothing sent', async (_name, c) => {
		const run = await runNode(ctx.server, { options: FAST, ...c.parameters, operation }, { items: c.items });
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		if (typeof c.message === 'string') expect(error.message).toBe(c.message);
		else expect(error.message).toMatch(c.message);
		expect(error.description).toBe(
			'Nothing was sent to Segmind. Fix the value (or the expression that produces it) and run again.',
		);
		expect(ctx.server.requests).toEqual([]);
	});
});

describe('Get Job Result', () => {
	test.each(cases.filter((c) => c.parameters.operation === 'getResult').map((c) => [c.name, c] as const))(
		'%s → NodeOperationError, nothing sent',
		async (_name, c) => {
			const run = await runNode(ctx.server, { options: FAST, ...c.parameters }, { items: c.items });
			const error = nodeError(run);
			expect(error.name).toBe('NodeOperationError');
			if (typeof c.message === 'string') expect(error.message).toBe(c.message);
			else expect(error.message).toMatch(c.message);
			expect(ctx.server.requests).toEqual([]);
		},
	);
});

test('with Continue On Fail, each bad item gets its own field error and the good one still runs', async () => {
	const run = await runNode(
		ctx.server,
		{ style: '={{ $json.style }}', seed: '={{ $json.seed }}', imageUrl: '={{ $json.image }}', options: FAST },
		{
			continueOnFail: true,
			items: [
				{ json: { style: 'Anime', seed: 1, image: 'https://example.com/a.jpg' } },
				{ json: { style: 'Clay', seed: 2 ** 33, image: 'https://example.com/b.jpg' } },
				{ json: { style: 'Toy', seed: 3, image: 'ftp://x' } },
				{ json: { style: 'Emoji', seed: 4, image: 'https://example.com/d.jpg' } },
			],
		},
	);
	expect(run.error).toBeUndefined();
	expect(run.items.map((i) => i.json.error)).toEqual([
		'Invalid "Style": "Anime" must be one of "3D", "Clay", "Emoji", "Pixels", "Toy", "Video Game" (item 1 of 4)',
		'Invalid "Seed": 8589934592 must be between -1 and 4294967295 (item 2 of 4)',
		'Invalid "Image URL": "ftp://x" must be an http:// or https:// URL (item 3 of 4)',
		undefined,
	]);
	expect(run.items[3].json).toMatchObject({ status: 'COMPLETED', style: 'Emoji', seed: 4 });
	expect(run.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
	// Only the good item reached the server.
	const posted = ctx.server.requests.filter((r) => r.route === 'submit').map((r) => r.body);
	expect(posted).toEqual([expect.objectContaining({ style: 'Emoji', seed: 4, image: 'https://example.com/d.jpg' })]);
});

describe('binary photos are accepted by their bytes, not their name or declared type', () => {
	const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 '), Buffer.alloc(32)]).toString('base64');
	const JPEG = (wholeJpeg(43) as Buffer).toString('base64');
	test.each([
		['a JPEG named photo.bin', JPEG, 'application/octet-stream', 'photo.bin', 'image/jpeg'],
		['a WebP declared image/png', WEBP, 'image/png', 'face.png', 'image/webp'],
		['a PNG named face.gif', pngOf(0.01), 'image/gif', 'face.gif', 'image/png'],
	])('%s is uploaded as what its bytes are', async (_name, bytes, mimeType, fileName, sent) => {
		const run = await runNode(ctx.server, { operation: 'submit', imageSource: 'binary', options: FAST }, { items: [{ bytes, mimeType, fileName }] });
		expect(run.error).toBeUndefined();
		const upload = ctx.server.requests.find((r) => r.route === 'upload');
		expect((upload?.body?.data_urls as string[])[0]).toMatch(new RegExp(`^data:${sent};base64,`));
		expect(ctx.server.count('submit')).toBe(1);
	});

	test('a photo just under "Max Input Image Size (MB)" is sent', async () => {
		const run = await runNode(
			ctx.server,
			{ operation: 'submit', imageSource: 'binary', options: { ...FAST, maxInputImageSizeMb: 1 } },
			{ items: [{ bytes: pngOf(0.99), mimeType: 'image/png' }] },
		);
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['upload', 'submit']);
	});
});

test('an oversized photo on a later item stops the run before the earlier items are uploaded or billed', async () => {
	const run = await runNode(
		ctx.server,
		{ imageSource: 'binary', options: { ...FAST, maxConcurrency: 1, maxInputImageSizeMb: 1 } },
		{ items: [{ file: 'fixtures/face.png' }, { bytes: pngOf(2), mimeType: 'image/png', fileName: 'huge.png' }] },
	);
	const error = nodeError(run);
	expect(error.message).toBe(
		'Invalid input photo: the file in "data" (huge.png) is 2.0 MB, over the 1 MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option (item 2 of 2)',
	);
	expect(error.description).toMatch(/^Nothing was sent to Segmind/);
	expect(error.context.itemIndex).toBe(1);
	expect(ctx.server.requests).toEqual([]);
});

test('a mislabelled file on a later item stops the run before the earlier items are uploaded or billed', async () => {
	const run = await runNode(
		ctx.server,
		// One at a time, so the good items would surely run first if the bytes were checked late.
		{ imageSource: 'binary', options: { ...FAST, maxConcurrency: 1 } },
		{
			items: [
				{ file: 'fixtures/face.png' },
				{ file: 'fixtures/face.png' },
				{ bytes: PDF, mimeType: 'image/png', fileName: 'face.png' },
			],
		},
	);
	const error = nodeError(run);
	expect(error.name).toBe('NodeOperationError');
	expect(error.message).toBe(
		'Invalid input photo: the file in "data" (face.png) is not an image (a PDF document); use a JPEG, PNG or WebP photo (item 3 of 3)',
	);
	expect(error.context.itemIndex).toBe(2);
	expect(ctx.server.requests).toEqual([]);
});

describe('values from expressions and sheets are taken as a user means them', () => {
	test.each([
		['"video game"', 'video game', 'Video game'],
		['"Video Game" (as the dropdown shows it)', 'Video Game', 'Video game'],
		['"clay"', 'clay', 'Clay'],
		['"VIDEO_GAME"', 'VIDEO_GAME', 'Video game'],
	])('the style %s is sent as Segmind spells it', async (_name, given, sent) => {
		const run = await runNode(ctx.server, { operation: 'submit', style: '={{ $json.style }}', options: FAST }, { items: [{ json: { style: given } }] });
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.filter((r) => r.route === 'submit').map((r) => r.body?.style)).toEqual([sent]);
	});

	test('numbers written as text are sent as numbers, and a number as the Prompt is sent as text', async () => {
		const run = await runNode(
			ctx.server,
			{ operation: 'submit', prompt: '={{ $json.prompt }}', seed: '={{ $json.seed }}', loraScale: '={{ $json.lora }}', options: FAST },
			{ items: [{ json: { prompt: 42, seed: '1234', lora: '0.5' } }] },
		);
		expect(run.error).toBeUndefined();
		const [submitted] = ctx.server.requests.filter((r) => r.route === 'submit');
		expect(submitted.body).toMatchObject({ prompt: '42', seed: 1234, lora_scale: 0.5 });
	});

	test('an upper-case URL scheme is sent in lower case', async () => {
		const run = await runNode(ctx.server, { operation: 'submit', imageUrl: 'HTTPS://example.com/Face.jpg', options: FAST });
		expect(run.error).toBeUndefined();
		expect(ctx.server.requests.find((r) => r.route === 'submit')?.body?.image).toBe('https://example.com/Face.jpg');
	});
});
