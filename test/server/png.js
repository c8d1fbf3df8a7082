'use strict';
// A minimal PNG encoder (RGB, 8-bit), so the local Segmind serves real images without extra packages.
const zlib = require('zlib');

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(buffer) {
	let c = 0xffffffff;
	for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** Encode an RGB image; `pixel(x, y)` returns [r, g, b]. */
function encodePng(width, height, pixel) {
	const raw = Buffer.alloc((width * 3 + 1) * height);
	let offset = 0;
	for (let y = 0; y < height; y++) {
		raw[offset++] = 0; // filter: none
		for (let x = 0; x < width; x++) {
			const [r, g, b] = pixel(x, y);
			raw[offset++] = r;
			raw[offset++] = g;
			raw[offset++] = b;
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type: RGB
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', zlib.deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

const STYLE_COLOURS = {
	'3D': [[70, 110, 220], [255, 214, 170]],
	Emoji: [[255, 204, 0], [255, 230, 90]],
	'Video game': [[40, 170, 90], [250, 200, 160]],
	Pixels: [[30, 30, 60], [240, 180, 140]],
	Clay: [[190, 110, 80], [230, 170, 120]],
	Toy: [[230, 70, 120], [255, 220, 190]],
	photo: [[200, 205, 210], [224, 172, 140]],
};

const cache = new Map();

/** A drawn face: background and skin colours by style; Pixels is drawn in 16-pixel blocks. Memoised. */
function drawFace(style = 'photo', size = 256) {
	const key = `${style}:${size}`;
	if (!cache.has(key)) cache.set(key, renderFace(style, size));
	return cache.get(key);
}

function renderFace(style, size) {
	const [bg, skin] = STYLE_COLOURS[style] || STYLE_COLOURS.photo;
	const block = style === 'Pixels' ? 16 : 1;
	const c = size / 2;
	return encodePng(size, size, (px, py) => {
		const x = Math.floor(px / block) * block;
		const y = Math.floor(py / block) * block;
		const dx = x - c;
		const dy = y - c * 1.05;
		const inFace = (dx * dx) / (c * 0.62) ** 2 + (dy * dy) / (c * 0.78) ** 2 <= 1;
		const eye = [-0.14, 0.14].some((ex) => (x - c - ex * size) ** 2 + (y - c * 0.85) ** 2 <= (size * 0.045) ** 2);
		const mouth = Math.abs(Math.hypot(x - c, y - c * 0.95) - size * 0.2) < size * 0.02 && y > c * 1.1;
		if (eye || mouth) return [40, 30, 40];
		if (inFace) return skin;
		return bg;
	});
}

/**
 * Grow a PNG to about `bytes` by inserting a private ancillary chunk ("prVt", which decoders
 * skip) of incompressible filler before IEND, so served images can have a realistic size.
 */
function padPng(png, bytes, fill) {
	const iend = png.length - 12;
	const size = Math.max(0, bytes - png.length - 12);
	const data = fill ? fill(size) : Buffer.alloc(size);
	return Buffer.concat([png.subarray(0, iend), chunk('prVt', data), png.subarray(iend)]);
}

module.exports = { encodePng, drawFace, padPng };
