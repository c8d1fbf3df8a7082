// eslint-disable-next-line @typescript-eslint/no-require-imports
const { wholeJpeg, wholePng, wholeWebp } = require('../server/images');

/** Whole images of each input type, plain and padded, as the local server serves them. */
export const WHOLE_IMAGES: Array<[string, Buffer]> = [
	['PNG', wholePng()],
	['padded PNG', wholePng(5000)],
	['JPEG', wholeJpeg(300)],
	['WebP', wholeWebp()],
	['padded WebP', wholeWebp(500)],
];
