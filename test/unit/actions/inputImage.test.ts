import { readImageInput } from '../../../nodes/SegmindFaceToMany/actions/inputImage';
import { ValidationFailure } from '../../../nodes/SegmindFaceToMany/helpers/parameters';
import { fakeContext } from '../fakeContext';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../../server/images');

const PNG: Buffer = wholePng();

/** A context whose item 0 carries `buffer` as a binary photo in field "data". */
function withPhoto(buffer: Buffer, declaredBytes?: number) {
	return fakeContext({ imageSource: 'binary', binaryPropertyName: 'data' }, [
		{ json: {}, binary: { data: { data: '', mimeType: 'image/png', bytes: declaredBytes } } },
	], buffer);
}

async function failure(promise: Promise<unknown>): Promise<ValidationFailure> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationFailure);
		return error as ValidationFailure;
	}
	throw new Error('expected a validation failure');
}

const limits = (maxInputImageSizeMb: number, toolMode = false) => ({ maxInputImageSizeMb, toolMode });

describe('readImageInput: a binary photo', () => {
	it('refuses a file whose recorded size is over the cap without reading it', async () => {
		const { ctx, reads } = withPhoto(PNG, 3 * 1048576);
		const error = await failure(readImageInput(ctx, 0, limits(2)));
		// The field named the right file: the error is about the file.
		expect(error.message).toBe(
			'Invalid input photo: the file in "data" is 3.0 MB, over the 2 MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option',
		);
		expect(reads).toEqual([]);
	});

	it('measures the bytes when n8n recorded no size (older n8n)', async () => {
		const { ctx } = withPhoto(Buffer.concat([PNG, Buffer.alloc(600 * 1024)]));
		const error = await failure(readImageInput(ctx, 0, limits(0.5)));
		expect(error.message).toMatch(/the file in "data" is 0\.6 MB, over the 0\.5 MB limit/);
	});

	it.each([
		['GIF', Buffer.from('GIF89a0000000000')],
		['BMP', Buffer.from('BM00000000000000')],
	])('refuses a %s, naming it and the accepted types', async (kind, bytes) => {
		const { ctx } = withPhoto(bytes);
		const error = await failure(readImageInput(ctx, 0, limits(10)));
		expect(error.message).toContain(`is a ${kind} image`);
		expect(error.message).toContain('JPEG, PNG or WebP');
	});

	it.each([
		['image/png', PNG],
		['image/jpeg', wholeJpeg()],
		['image/webp', wholeWebp()],
	])('accepts %s by its bytes, and says which field to upload', async (mimeType, bytes) => {
		const { ctx } = withPhoto(bytes, bytes.length);
		await expect(readImageInput(ctx, 0, limits(10))).resolves.toEqual({ source: 'binary', propertyName: 'data', mimeType });
	});

	it('refuses a photo cut short (a PNG without its end), before anything is sent', async () => {
		const { ctx } = withPhoto(PNG.subarray(0, 100), 100);
		const error = await failure(readImageInput(ctx, 0, limits(10)));
		expect(error.message).toMatch(/^Invalid input photo: the file in "data" is an incomplete image \(.*\); use the whole file$/);
	});

	it('names the fields the item has when the one asked for is missing', async () => {
		const { ctx } = fakeContext({ imageSource: 'binary', binaryPropertyName: 'photo' }, [
			{ json: {}, binary: { data: { data: '', mimeType: 'image/png' } } },
		]);
		const error = await failure(readImageInput(ctx, 0, limits(10)));
		expect(error.message).toBe('Invalid "Input Data Field Name": "photo" is not on the incoming item (it has: data)');
	});

	it('is never read in tool mode: an agent gives a URL', async () => {
		const { ctx, reads } = fakeContext({ imageSource: 'binary', imageUrl: 'https://example.com/a.jpg' });
		await expect(readImageInput(ctx, 0, limits(10, true))).resolves.toEqual({ source: 'url', url: 'https://example.com/a.jpg' });
		expect(reads).toEqual([]);
	});
});

describe('readImageInput: an image URL', () => {
	it('is required (the field starts empty, so nobody pays for a sample photo)', async () => {
		const { ctx } = fakeContext({ imageSource: 'url' });
		const error = await failure(readImageInput(ctx, 0, limits(10)));
		expect(error.message).toBe('Invalid "Image URL": the value is required: a public http:// or https:// link to the face photo');
	});

	it('takes an upper-case scheme and sends it in lower case', async () => {
		const { ctx } = fakeContext({ imageUrl: '  HTTPS://Example.com/Face.JPG ' });
		await expect(readImageInput(ctx, 0, limits(10))).resolves.toEqual({ source: 'url', url: 'https://Example.com/Face.JPG' });
	});

	it.each(['ftp://example.com/a.jpg', 'data:image/png;base64,AAAA', 'example.com/a.jpg'])('refuses %s', async (url) => {
		const { ctx } = fakeContext({ imageUrl: url });
		const error = await failure(readImageInput(ctx, 0, limits(10)));
		expect(error.message).toContain('must be an http:// or https:// URL');
	});
});
