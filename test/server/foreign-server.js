'use strict';
/**
 * A second local host that plays "somewhere else" for the edge tests: a redirect target, a
 * status_url/response_url that is not on the credential's host, an image CDN. It answers every
 * request and records each one with the x-api-key it carried, so a test can assert that the key
 * never arrived here (`keysSeen()` must stay empty).
 *
 * Answers: GET /outputs/* → a whole PNG (public images may live here); anything else → a
 * Segmind-looking COMPLETED job whose output is on this host (what a collector would answer).
 */
const http = require('http');
const { wholePng } = require('./images');

function createForeignServer() {
	const requests = [];
	const sockets = new Set();
	let url = '';
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			requests.push({ method: req.method, path: req.url, apiKey: req.headers['x-api-key'], body });
			if (req.method === 'GET' && req.url.startsWith('/outputs/')) {
				const png = wholePng(0, 'Toy');
				res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length });
				return res.end(png);
			}
			const json = JSON.stringify({ status: 'COMPLETED', request_id: 'foreign', output: `${url}/outputs/foreign.png`, credits: 1 });
			res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
			res.end(json);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	return {
		get url() {
			return url;
		},
		requests,
		/** Every x-api-key value this host received (must stay empty). */
		keysSeen() {
			return requests.filter((r) => r.apiKey !== undefined).map((r) => r.apiKey);
		},
		reset() {
			requests.length = 0;
		},
		async start() {
			await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
			url = `http://127.0.0.1:${server.address().port}`;
			return url;
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

module.exports = { createForeignServer };
