import { detectImageType, ImageCompleteness, imageProblem } from '../../../nodes/SegmindFaceToMany/helpers/image';
import { WHOLE_IMAGES } from '../wholeImages';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../../server/images');

describe('image types', () => {
	it('recognises images by their bytes, not their name', () => {
		expect(detectImageType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))?.mimeType).toBe('image/png');
		expect(detectImageType(Buffer.from('ffd8ffe000104a464946', 'hex'))?.mimeType).toBe('image/jpeg');
		expect(detectImageType(Buffer.from('%PDF-1.7 ...'))).toBeUndefined();
	});
});


describe('images are checked whole', () => {
	test.each(WHOLE_IMAGES)('a whole %s passes, pushed at once or a byte at a time', (_name, bytes) => {
		const type = detectImageType(bytes)!;
		expect(type).toBeDefined();
		expect(imageProblem(bytes, type)).toBeUndefined();
		const check = new ImageCompleteness(type);
		for (let i = 0; i < bytes.length; i++) check.push(bytes.subarray(i, i + 1));
		expect(check.problem()).toBeUndefined();
	});

	test.each(WHOLE_IMAGES)('every %s cut short is caught, whatever the cut', (_name, bytes) => {
		const type = detectImageType(bytes)!;
		const missed: number[] = [];
		// Every length from the shortest that still has the signature to one byte short.
		for (let length = 13; length < bytes.length; length++) {
			if (imageProblem(bytes.subarray(0, length), type) === undefined) missed.push(length);
		}
		expect(missed).toEqual([]);
	});

	test('a JPEG with trailing padding after its end marker passes', () => {
		const jpeg = Buffer.concat([wholeJpeg(100), Buffer.from([0, 0, 0x0a])]);
		expect(imageProblem(jpeg, { mimeType: 'image/jpeg', extension: 'jpg' })).toBeUndefined();
	});

	test('the problem says what is missing', () => {
		const png = wholePng();
		expect(imageProblem(png.subarray(0, 100), { mimeType: 'image/png', extension: 'png' })).toBe(
			'the PNG ends after 100 bytes, before its IEND chunk',
		);
		const webp = wholeWebp(400);
		expect(imageProblem(webp.subarray(0, 50), { mimeType: 'image/webp', extension: 'webp' })).toBe(
			`the WebP ends after 50 of the ${webp.length} bytes its header declares`,
		);
	});
});
