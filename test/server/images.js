'use strict';
/**
 * Whole images of every input/output type the node knows, for the local server and the tests:
 * PNG (drawn, optionally padded to a size), JPEG (SOI, JFIF header, comment padding, EOI) and
 * WebP (a real 1×1 lossless image, optionally padded inside its RIFF size). Each is complete by
 * the node's checks (PNG through IEND, JPEG SOI…EOI, WebP RIFF size); cut them to test truncation.
 */
const { drawFace, padPng } = require('./png');

/** A PNG of about `bytes` (at least the drawn face), valid through IEND. */
function wholePng(bytes = 0, style = 'photo', size = 32) {
	const png = drawFace(style, size);
	return bytes > png.length ? padPng(png, bytes) : png;
}

/** A JPEG-framed file of about `bytes`: SOI, APP0 JFIF, COM segments of filler, EOI. */
function wholeJpeg(bytes = 64) {
	const app0 = Buffer.from('ffe000104a46494600010100000100010000', 'hex');
	const parts = [Buffer.from([0xff, 0xd8]), app0];
	let left = Math.max(0, bytes - 2 - app0.length - 2);
	while (left > 4) {
		const body = Math.min(65533, left - 4);
		const segment = Buffer.alloc(4 + body, 0x20);
		segment[0] = 0xff;
		segment[1] = 0xfe;
		segment.writeUInt16BE(body + 2, 2);
		parts.push(segment);
		left -= segment.length;
	}
	parts.push(Buffer.from([0xff, 0xd9]));
	return Buffer.concat(parts);
}

const WEBP_1X1 = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

/** A WebP of about `bytes`: the 1×1 lossless image plus an unknown (skipped) chunk inside the RIFF size. */
function wholeWebp(bytes = 0) {
	if (bytes <= WEBP_1X1.length + 8) return WEBP_1X1;
	const pad = bytes - WEBP_1X1.length - 8;
	const padded = pad + (pad % 2);
	const chunk = Buffer.alloc(8 + padded);
	chunk.write('XPAD', 0, 'ascii');
	chunk.writeUInt32LE(padded, 4);
	const out = Buffer.concat([WEBP_1X1, chunk]);
	out.writeUInt32LE(out.length - 8, 4);
	return out;
}

module.exports = { wholePng, wholeJpeg, wholeWebp };
