import { Readable } from 'stream';

import { BodyWatch } from '../../../nodes/SegmindFaceToMany/transport/imageStream';
import { WHOLE_IMAGES } from '../wholeImages';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../../server/images');


describe('a watched body', () => {
	/** A readable that emits `chunks`, then ends (or not). */
	function body(chunks: Buffer[], end = true) {
		const stream = new Readable({ read() {} });
		return {
			stream,
			feed: () => {
				for (const chunk of chunks) stream.push(chunk);
				if (end) stream.push(null);
			},
		};
	}
	const read = async (stream: Readable) => {
		const parts: Buffer[] = [];
		for await (const part of stream) parts.push(part as Buffer);
		return Buffer.concat(parts);
	};

	test('a whole image passes through unchanged; bytes counted', async () => {
		const png = wholePng(3000);
		const { stream, feed } = body([png.subarray(0, 10), png.subarray(10, 2000), png.subarray(2000)]);
		const watch = new BodyWatch(stream as never, 10_000);
		feed();
		await watch.waitFor(16);
		expect(watch.sniff()).toEqual({ mimeType: 'image/png', extension: 'png' });
		expect((await read(stream)).equals(png)).toBe(true);
		expect(watch.complete).toBe(true);
		expect(watch.bytes).toBe(png.length);
	});

	test('what was buffered before the watch began is counted too', async () => {
		const png = wholePng();
		const { stream, feed } = body([png]);
		feed();
		const watch = new BodyWatch(stream as never, 10_000);
		await watch.waitFor(16);
		expect(watch.sniff()?.mimeType).toBe('image/png');
		expect((await read(stream)).equals(png)).toBe(true);
		expect(watch.bytes).toBe(png.length);
		expect(watch.complete).toBe(true);
	});

	test('over the cap, the reader fails and no byte past the cap is kept', async () => {
		const { stream, feed } = body([wholePng().subarray(0, 16), Buffer.alloc(5000)], false);
		const watch = new BodyWatch(stream as never, 1000);
		feed();
		await expect(read(stream)).rejects.toThrow();
		expect(watch.ended).toEqual({ reason: 'tooLarge', bytes: 5016 });
	});

	test('an image that ends short makes the reader fail, not end cleanly', async () => {
		const { stream, feed } = body([wholePng().subarray(0, 150)]);
		const watch = new BodyWatch(stream as never, 10_000);
		feed();
		await watch.waitFor(16);
		watch.sniff();
		await expect(read(stream)).rejects.toThrow();
		expect(watch.ended).toEqual({ reason: 'incomplete', problem: 'the PNG ends after 150 bytes, before its IEND chunk' });
		expect(watch.complete).toBe(false);
	});
});
