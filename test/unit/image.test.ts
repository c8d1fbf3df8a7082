import type { IExecuteFunctions } from 'n8n-workflow';

import { readBinaryImage } from '../../nodes/SegmindFaceToMany/actions/image';
import { ValidationFailure } from '../../nodes/SegmindFaceToMany/validation';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../server/images');

const PNG: Buffer = wholePng();

/** Just what readBinaryImage uses of n8n's execute context; counts buffer reads. */
function fakeContext(buffer: Buffer, declaredBytes?: number) {
	const reads: number[] = [];
	const ctx = {
		getInputData: () => [{ json: {}, binary: { data: { data: '', mimeType: 'image/png', bytes: declaredBytes } } }],
		helpers: {
			getBinaryDataBuffer: async (i: number) => {
				reads.push(i);
				return buffer;
			},
		},
	} as unknown as IExecuteFunctions;
	return { ctx, reads };
}

const image = { propertyName: 'data', mimeType: 'image/png' };

async function failure(promise: Promise<unknown>): Promise<ValidationFailure> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationFailure);
		return error as ValidationFailure;
	}
	throw new Error('expected a validation failure');
}

describe('readBinaryImage (input photo checks)', () => {
	it('refuses a file whose recorded size is over the cap without reading it', async () => {
		const { ctx, reads } = fakeContext(PNG, 3 * 1048576);
		const error = await failure(readBinaryImage(ctx, 0, image, 2));
		expect(error.message).toBe(
			'Invalid "Input Binary Property": "data" is 3.0 MB, over the 2 MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option',
		);
		expect(reads).toEqual([]);
	});

	it('measures the bytes when n8n recorded no size (older n8n)', async () => {
		const { ctx } = fakeContext(Buffer.concat([PNG, Buffer.alloc(600 * 1024)]));
		const error = await failure(readBinaryImage(ctx, 0, image, 0.5));
		expect(error.message).toMatch(/"data" is 0\.6 MB, over the 0\.5 MB limit/);
	});

	it.each([
		['GIF', Buffer.from('GIF89a0000000000')],
		['BMP', Buffer.from('BM00000000000000')],
	])('refuses a %s, naming it and the accepted types', async (kind, bytes) => {
		const { ctx } = fakeContext(bytes);
		const error = await failure(readBinaryImage(ctx, 0, image, 10));
		expect(error.message).toContain(`is a ${kind} image`);
		expect(error.message).toContain('JPEG, PNG or WebP');
	});

	it.each([
		['image/png', PNG],
		['image/jpeg', wholeJpeg()],
		['image/webp', wholeWebp()],
	])('accepts %s by its bytes', async (mimeType, bytes) => {
		const { ctx } = fakeContext(bytes, bytes.length);
		await expect(readBinaryImage(ctx, 0, image, 10)).resolves.toMatchObject({ type: { mimeType } });
	});
});
