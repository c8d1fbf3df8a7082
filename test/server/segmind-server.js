'use strict';
/**
 * A local, Segmind-compatible HTTP server for tests, the demo and the benchmark.
 * It follows Segmind's documented protocol: v2 submit → status → result with
 * QUEUED → PROCESSING → COMPLETED timing, FAILED served as 422, 404 for unknown ids,
 * 401 for a wrong key, 406 for no credits, asset upload, v1 sync, credits, and output
 * URLs that serve real PNG images. Tests steer it with `configure()` and `inject()`
 * and read what it saw in `requests`.
 */
const http = require('http');
const { randomUUID, randomBytes } = require('crypto');
const { drawFace, padPng } = require('./png');
const { wholeJpeg, wholeWebp } = require('./images');

const STYLES = ['3D', 'Emoji', 'Video game', 'Pixels', 'Clay', 'Toy'];
const LORA = /^https:\/\/(replicate\.delivery\/pbxt|pbxt\.replicate\.delivery)\/.+\/trained_model\.tar$/;
const RANGES = {
	lora_scale: [0, 1],
	prompt_strength: [0, 20],
	denoising_strength: [0, 1],
	instant_id_strength: [0, 1],
	control_depth_strength: [0, 1],
};

const DEFAULT_CONFIG = {
	apiKey: 'test-key',
	credits: 10,
	/** The "free-credits" that GET /v1/get-user-credits reports next to `credits`. */
	freeCredits: 0.0184,
	costPerJob: 0.0246,
	queueMs: 100,
	processingMs: 300,
	/** 'string' | 'array' | 'images' | 'none': the shape of `output` in the result. */
	outputShape: 'string',
	/** Return a FAILED job with this error (string) or when fn(body) returns a string. */
	failJob: null,
	/** Serve this instead of a PNG at the output URL: { status, body, contentType }. */
	output: null,
	syncMs: 200,
	imageSize: 256,
	/** HTTP code a FAILED job is served with on status/result (Segmind uses 422; 200 is seen too). */
	failedStatus: 422,
	/**
	 * Per-job durations (the benchmark): { meanMs, spread, queueShare, seed }. The k-th job created
	 * after a reset takes meanMs × (1 ± spread), drawn from a RNG seeded with (seed, k), of which
	 * queueShare is QUEUED and the rest PROCESSING. null: every job takes queueMs + processingMs.
	 */
	jobTimes: null,
	/**
	 * Server-side rate limit (the benchmark): { limit, windowMs, counts }. Which requests count
	 * (`counts`, see "rate-limit model" below): 'all' (default) every request that carries an
	 * x-api-key header; 'submits' only those that start a job (v2 submit, v1 sync). Fixed windows
	 * start at the first counted request after a reset; over the limit the answer is 429 with
	 * `x-rate-limit-reset-at-utc` (the window's end, ISO UTC) and no Retry-After, as Segmind
	 * documents. null: no limit.
	 */
	rateLimit: null,
	/** Pad output PNGs to about this many bytes with a private ancillary chunk (the benchmark). */
	imageBytes: 0,
	// ---- edges: hostile-server emulation (see the "edges" region below) ----
	/** 'png' | 'jpeg' | 'webp': the format of output images (download and v1). */
	outputFormat: 'png',
	/** Answer submits with status_url/response_url on this origin instead of the server's own. */
	jobUrlBase: null,
	// ---- acceptAnyKey (the try-it stack: `npm run n8n`, the demo) ----
	/**
	 * Take any non-empty x-api-key as valid (a missing key is still a 401), so a credential a user
	 * makes for this server works whatever key it holds. Off: only `apiKey` is accepted.
	 */
	acceptAnyKey: false,
	// ---- end of acceptAnyKey ----
	// ---- bench region: round trips (see the "bench region" below) ----
	/** Round-trip time of every answer (ms): half passes before the request is handled, half before the answer leaves. */
	latencyMs: 0,
	/** ± this much (ms, uniform, seeded) on each request's round trip. */
	latencyJitterMs: 0,
	// ---- end of bench region ----
};

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence everywhere. */
function mulberry32(seed) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Queue and processing time of the `index`-th job under `jobTimes` (see DEFAULT_CONFIG). */
function jobTiming(jobTimes, index) {
	const { meanMs, spread = 0, queueShare = 0.05, seed = 1 } = jobTimes;
	const random = mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
	random(); // let the state mix before the draw
	const totalMs = Math.round(meanMs * (1 + spread * (2 * random() - 1)));
	const queueMs = Math.round(totalMs * queueShare);
	return { queueMs, processingMs: totalMs - queueMs };
}

function createSegmindServer(options = {}) {
	let config = { ...DEFAULT_CONFIG, ...options };
	const jobs = new Map();
	const assets = new Map();
	const requests = [];
	const injections = [];
	const sockets = new Set();
	let baseUrl = '';
	/** Jobs created since the last reset (numbers them for `jobTimes`). */
	let jobCount = 0;
	/** Rate-limit state: first counted request (window origin), current window and its count. */
	let limiter = { origin: undefined, window: -1, count: 0 };
	const paddedImages = new Map();

	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			// With a round-trip latency (bench region), half of it passes before the request is handled.
			inTransit(req, res, () =>
				handle(req, res, raw).catch((error) => {
					if (!res.headersSent) send(res, 500, { error: String(error && error.message) });
				}),
			);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	function send(res, status, body, headers = {}) {
		const isBuffer = Buffer.isBuffer(body);
		const text = isBuffer ? body : typeof body === 'string' ? body : JSON.stringify(body);
		// With a round-trip latency (bench region), the other half passes before the answer leaves.
		inTransit(res.req, res, () => {
			res.writeHead(status, {
				'Content-Type': isBuffer ? 'application/octet-stream' : typeof body === 'string' ? 'text/html' : 'application/json',
				'Content-Length': Buffer.byteLength(text),
				...headers,
			});
			res.end(text);
		});
	}

	function route(method, path) {
		if (method === 'POST' && path === '/v2/face-to-many') return 'submit';
		if (method === 'POST' && path === '/v1/face-to-many') return 'sync';
		if (method === 'GET' && /^\/v2\/requests\/[^/]+\/status$/.test(path)) return 'status';
		if (method === 'GET' && /^\/v2\/requests\/[^/]+$/.test(path)) return 'result';
		if (method === 'GET' && path.startsWith('/outputs/')) return 'download';
		if (method === 'GET' && path.startsWith('/assets/')) return 'asset';
		if (method === 'POST' && path === '/upload-asset') return 'upload';
		if (method === 'GET' && path === '/v1/get-user-credits') return 'credits';
		return 'unknown';
	}

	/** A job's own timing (drawn at creation under `jobTimes`), else the configured one. */
	function timing(job) {
		return job.timing || { queueMs: config.queueMs, processingMs: config.processingMs };
	}

	function jobState(job) {
		const age = Date.now() - job.createdAt;
		const { queueMs, processingMs } = timing(job);
		if (age < queueMs) return 'QUEUED';
		if (age < queueMs + processingMs) return 'PROCESSING';
		return job.error ? 'FAILED' : 'COMPLETED';
	}

	/** Count a keyed request; returns the window's end (ms epoch) when it is over the limit. */
	function overRateLimit(now) {
		const { limit, windowMs } = config.rateLimit;
		if (limiter.origin === undefined) limiter.origin = now;
		const window = Math.floor((now - limiter.origin) / windowMs);
		if (window !== limiter.window) limiter = { ...limiter, window, count: 0 };
		if (limiter.count >= limit) return { window, resetAt: limiter.origin + (window + 1) * windowMs };
		limiter.count++;
		return { window };
	}

	function outputImage(job) {
		const png = drawFace(job.body.style || '3D', config.imageSize);
		if (!(config.imageBytes > png.length)) return png;
		const key = `${job.body.style || '3D'}:${config.imageSize}:${config.imageBytes}`;
		if (!paddedImages.has(key)) paddedImages.set(key, padPng(png, config.imageBytes, randomBytes));
		return paddedImages.get(key);
	}

	function validate(body) {
		if (!body || typeof body !== 'object') return 'Body must be a JSON object';
		if (typeof body.image !== 'string' || !/^https?:\/\//.test(body.image)) return 'image must be a URL';
		if (body.style !== undefined && !STYLES.includes(body.style)) return `style must be one of ${STYLES.join(', ')}`;
		if (body.prompt !== undefined && typeof body.prompt !== 'string') return 'Prompt is Mandatory and must be string';
		for (const [key, [min, max]] of Object.entries(RANGES)) {
			const v = body[key];
			if (v !== undefined && (typeof v !== 'number' || v < min || v > max)) return `${key} must be between ${min} and ${max}`;
		}
		if (body.seed !== undefined && (!Number.isInteger(body.seed) || body.seed < -1 || body.seed > 4294967295)) return 'seed out of range';
		if (body.custom_lora_url !== undefined && !LORA.test(body.custom_lora_url)) return 'custom_lora_url must be a replicate.delivery trained_model.tar';
		if (/\b(nsfw|violence)\b/i.test(body.prompt || '')) return 'Content blocked: the request was flagged by the safety filter';
		if (typeof config.failJob === 'string') return config.failJob;
		if (typeof config.failJob === 'function') return config.failJob(body) || null;
		return null;
	}

	function resultBody(job) {
		const url = `${job.base}/outputs/${job.id}.png`;
		const { queueMs, processingMs } = timing(job);
		const metrics = {
			inference_time: processingMs / 1000,
			queue_time: queueMs / 1000,
			total_time: (queueMs + processingMs) / 1000,
			cost: config.costPerJob,
			remaining_credits: Number(config.credits.toFixed(4)),
		};
		const body = { status: 'COMPLETED', request_id: job.id, metrics };
		if (config.outputShape === 'string') body.output = url;
		if (config.outputShape === 'array') body.output = [url];
		if (config.outputShape === 'images') {
			body.images = [{ url, content_type: 'image/png', file_name: `${job.id}.png`, file_size: 0 }];
		}
		if (job.body.seed !== undefined && job.body.seed !== -1) body.seed = job.body.seed;
		return body;
	}

	async function handle(req, res, raw) {
		const { client, path, base } = untag(new URL(req.url, baseUrl).pathname);
		const name = route(req.method, path);
		const apiKey = req.headers['x-api-key'];
		let body;
		try {
			body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
		} catch {
			body = undefined;
		}
		if (req.epoch !== epoch) return req.socket.destroy(); // a request from before reset()
		const entry = {
			at: Date.now(),
			method: req.method,
			path,
			route: name,
			hasApiKey: apiKey !== undefined,
			apiKeyValid: apiKey === config.apiKey,
			contentType: req.headers['content-type'],
			body: name === 'upload' ? { data_urls: (body && body.data_urls || []).map((u) => String(u).slice(0, 40)) } : body,
			/** The x-api-key received, for hosts that must never see it (the foreign host checks this). */
			apiKey,
			/** The client tag of the URL (`/c/<tag>/…`, bench region), or undefined. */
			client,
		};
		requests.push(entry);

		// ---- rate-limit model (benchmark): which keyed requests the limit counts ----
		// Segmind does not document whether status checks count against a plan's requests per
		// minute. 'all': every keyed request counts; 'submits': only requests that start a job.
		const counted = config.rateLimit && apiKey !== undefined && (config.rateLimit.counts !== 'submits' || name === 'submit' || name === 'sync');
		// ---- end of rate-limit model ----
		if (counted) {
			const verdict = overRateLimit(entry.at);
			entry.window = verdict.window;
			if (verdict.resetAt !== undefined) {
				entry.rateLimited = true;
				return send(
					res,
					429,
					{ error: 'Rate limit exceeded. Please try again later.' },
					{ 'x-rate-limit-reset-at-utc': new Date(verdict.resetAt).toISOString() },
				);
			}
		}

		const injectionIndex = injections.findIndex(
			(i) => (i.route === name || i.route === '*') && (!i.when || i.when(entry)),
		);
		if (injectionIndex !== -1) {
			const injection = injections[injectionIndex];
			if (--injection.times <= 0) injections.splice(injectionIndex, 1);
			entry.injected = injection.status || (injection.hang ? 'hang' : injection.reset ? 'reset' : Object.keys(injection).find((k) => EDGE_FAULTS.includes(k)));
			if (injection.hang) return; // never answer
			if (injection.reset) return req.socket.destroy();
			if (injection.afterCreate && name === 'submit') {
				createJob(body, base);
			}
			if (injection.afterCreate && name === 'sync') billed++;
			const edge = EDGE_FAULTS.find((k) => injection[k] !== undefined);
			if (edge) return edgeFault(edge, injection, req, res, { name, path, body });
			const injectedBody = typeof injection.body === 'function' ? injection.body(entry, req) : injection.body;
			const headers = typeof injection.headers === 'function' ? injection.headers(entry, req) : injection.headers;
			return send(res, injection.status, injectedBody !== undefined ? injectedBody : { error: 'Injected failure' }, headers);
		}

		const needsKey = !['download', 'asset'].includes(name);
		const keyAccepted = apiKey === config.apiKey || (config.acceptAnyKey && typeof apiKey === 'string' && apiKey !== ''); // acceptAnyKey
		if (needsKey && !keyAccepted) {
			return send(res, 401, { error: apiKey ? 'Invalid API key' : 'API key is missing' });
		}

		switch (name) {
			case 'credits':
				return send(res, 200, { credits: Number(config.credits.toFixed(4)), 'free-credits': config.freeCredits });
			case 'submit':
			case 'sync': {
				if (!/application\/json/.test(req.headers['content-type'] || '')) return send(res, 406, { error: 'Invalid content type' });
				if (body === undefined) return send(res, 400, { error: 'Malformed JSON body' });
				if (config.credits < config.costPerJob) {
					return send(res, 406, { error: `Insufficient credits. Your balance is ${config.credits.toFixed(4)} and this request needs ${config.costPerJob}.` });
				}
				if (name === 'sync') return runSync(res, body);
				const job = createJob(body, base);
				const jobBase = config.jobUrlBase || base;
				return send(res, 200, {
					request_id: job.id,
					status: 'QUEUED',
					poll_url: `${base}/v1/requests/${job.id}`,
					status_url: `${jobBase}/v2/requests/${job.id}/status`,
					response_url: `${jobBase}/v2/requests/${job.id}`,
				});
			}
			case 'status':
			case 'result': {
				const id = path.split('/')[3];
				const job = jobs.get(id);
				if (!job) return send(res, 404, { error: `Request ${id} not found` });
				const state = jobState(job);
				if (state === 'FAILED') {
					return send(res, config.failedStatus, { status: 'FAILED', error: job.error, metrics: { inference_time: 0.007 }, request_id: id });
				}
				if (state !== 'COMPLETED') return send(res, 200, { status: state, request_id: id, metrics: {} });
				if (name === 'status') {
					return send(res, 200, { status: 'COMPLETED', request_id: id, metrics: { inference_time: timing(job).processingMs / 1000 } });
				}
				return send(res, 200, resultBody(job));
			}
			case 'download': {
				if (config.output) {
					const o = config.output;
					return send(res, o.status || 200, o.body, { 'Content-Type': o.contentType || 'application/octet-stream' });
				}
				const id = path.slice('/outputs/'.length).replace(/\.png$/, '');
				const job = jobs.get(id);
				if (!job) return send(res, 404, '<html><body>Not Found</body></html>');
				const image = formatted(job.image || (job.image = outputImage(job)));
				return send(res, 200, image.bytes, { 'Content-Type': image.contentType });
			}
			case 'upload': {
				const urls = (body && Array.isArray(body.data_urls) ? body.data_urls : []).map((dataUrl) => {
					const match = /^data:([^;]+);base64,(.*)$/s.exec(dataUrl);
					if (!match) return null;
					const id = randomUUID();
					assets.set(id, { mimeType: match[1], bytes: Buffer.from(match[2], 'base64') });
					return `${base}/assets/${id}`;
				});
				if (!urls.length || urls.includes(null)) return send(res, 400, { error: 'data_urls must be data: URLs' });
				return send(res, 200, config.uploadKey === 'urls' ? { urls } : { file_urls: urls });
			}
			case 'asset': {
				const asset = assets.get(path.slice('/assets/'.length));
				if (!asset) return send(res, 404, { error: 'Not found' });
				return send(res, 200, asset.bytes, { 'Content-Type': asset.mimeType });
			}
			default:
				return send(res, 405, '<html><body>Method Not Allowed</body></html>');
		}
	}

	function createJob(body, base = baseUrl) {
		billed++;
		const job = { id: randomUUID(), createdAt: Date.now(), body, error: validate(body), index: jobCount++, base };
		if (config.jobTimes) job.timing = jobTiming(config.jobTimes, job.index);
		jobs.set(job.id, job);
		config.credits -= config.costPerJob;
		return job;
	}

	async function runSync(res, body) {
		const error = validate(body);
		billed++;
		config.credits -= config.costPerJob;
		// Wait like the real model, but stop waiting when the client goes away (e.g. a Stop).
		await new Promise((resolve) => {
			const timer = setTimeout(resolve, config.syncMs);
			res.on('close', () => {
				clearTimeout(timer);
				resolve();
			});
		});
		if (res.destroyed || res.writableEnded) return;
		if (error) return send(res, 422, { error });
		const id = randomUUID();
		const seed = body.seed !== undefined && body.seed !== -1 ? body.seed : 123456789;
		const image = formatted(drawFace(body.style || '3D', config.imageSize));
		return send(res, 200, image.bytes, {
			'Content-Type': image.contentType,
			'x-request-id': id,
			'x-seed-value': String(seed),
			'x-cost': String(config.costPerJob),
			'x-remaining-credits': config.credits.toFixed(4),
		});
	}

	// ------------------------------------------------------------------ edges region
	// Hostile-server behaviour for the edge tests (test/integration/edges.test.ts and others):
	// drip-fed answers, huge and endless bodies, truncated images, other image formats, and a
	// reset() that ends requests still in flight. Kept in one region so other changes merge cleanly.

	/** Output bytes in the configured format (the PNG drawn for the job, or a JPEG/WebP stand-in). */
	function formatted(png) {
		if (config.outputFormat === 'jpeg') return { bytes: wholeJpeg(2048), contentType: 'image/jpeg' };
		if (config.outputFormat === 'webp') return { bytes: wholeWebp(2048), contentType: 'image/webp' };
		return { bytes: png, contentType: 'image/png' };
	}

	/**
	 * Faults that need more than one answer: { drip: { intervalMs, prefix, contentType } } answers
	 * 200 and then one byte per interval forever; { flood: { bytes, contentLength, contentType } }
	 * streams an image header then `bytes` of filler (Infinity: endless), with or without a
	 * Content-Length; { truncate: n, declareFull } serves the route's normal image cut to n bytes
	 * (declareFull: with the full Content-Length, then the connection is cut).
	 */
	function edgeFault(kind, injection, req, res, { name, path, body }) {
		const stop = { stopped: false };
		res.on('close', () => (stop.stopped = true));
		if (kind === 'drip') {
			const { intervalMs = 50, prefix = '', contentType = 'application/json' } = injection.drip;
			res.writeHead(200, { 'Content-Type': contentType });
			if (prefix.length) res.write(prefix);
			const timer = setInterval(() => (stop.stopped ? clearInterval(timer) : res.write(' ')), intervalMs);
			res.on('close', () => clearInterval(timer));
			return;
		}
		if (kind === 'flood') {
			const { bytes = Infinity, contentLength = false, contentType = 'image/png' } = injection.flood;
			const head = drawFace('photo', 8).subarray(0, 33); // PNG signature + IHDR: a valid start
			const headers = { 'Content-Type': contentType };
			if (contentLength && Number.isFinite(bytes)) headers['Content-Length'] = String(bytes);
			res.writeHead(200, headers);
			res.write(head);
			const filler = Buffer.alloc(65536, 0x41);
			let sent = head.length;
			const pump = () => {
				while (!stop.stopped && sent < bytes) {
					const piece = bytes - sent >= filler.length ? filler : filler.subarray(0, bytes - sent);
					sent += piece.length;
					if (!res.write(piece)) return res.once('drain', pump);
				}
				if (!stop.stopped) res.end();
			};
			return pump();
		}
		if (kind === 'truncate') {
			let image;
			if (name === 'download') {
				const job = jobs.get(path.slice('/outputs/'.length).replace(/\.png$/, ''));
				if (!job) return send(res, 404, '<html><body>Not Found</body></html>');
				image = formatted(job.image || (job.image = outputImage(job)));
			} else {
				if (name === 'sync') billed++;
				image = formatted(drawFace((body && body.style) || '3D', config.imageSize));
			}
			const cut = image.bytes.subarray(0, injection.truncate);
			if (!injection.declareFull) return send(res, 200, cut, { 'Content-Type': image.contentType });
			res.writeHead(200, { 'Content-Type': image.contentType, 'Content-Length': image.bytes.length });
			return res.write(cut, () => setTimeout(() => req.socket.destroy(), 20));
		}
		return undefined;
	}

	// ------------------------------------------------------------------ bench region
	// The world users live in, for the benchmark (scripts/bench*.js) and the queue-mode test:
	// a round-trip latency on every answer, and client tags that tell several clients of one key
	// apart (every process of a queue-mode setup, each with the same API key and rate limit).
	// Kept in one region so other changes merge cleanly.

	/** Seeded draws of each request's round trip (the same seed gives the same latencies). */
	let latencyRandom = mulberry32(1);

	/**
	 * Run `fn` after half of this request's round trip (`latencyMs` ± `latencyJitterMs`): called
	 * once when the request arrives and once when its answer is sent, so a request is handled
	 * half a round trip after it was sent, and its answer arrives a full round trip after.
	 */
	function inTransit(req, res, fn) {
		const { latencyMs = 0, latencyJitterMs = 0 } = config;
		if (!(latencyMs > 0 || latencyJitterMs > 0) || !req) return fn();
		if (req.roundTripMs === undefined) req.roundTripMs = Math.max(0, latencyMs + latencyJitterMs * (2 * latencyRandom() - 1));
		setTimeout(() => {
			if (!res.destroyed) fn();
		}, req.roundTripMs / 2);
	}

	/**
	 * `/c/<tag>/rest` → the tag and `/rest`. A client that puts `/c/<tag>` at the end of its base
	 * URL is told apart in `requests` (entry.client) and gets every URL it is handed (status,
	 * result, output, asset) under the same prefix. Untagged paths are served as before.
	 */
	function untag(pathname) {
		const match = /^\/c\/([A-Za-z0-9_-]{1,40})(\/.*)$/.exec(pathname);
		if (!match) return { client: undefined, path: pathname, base: baseUrl };
		return { client: match[1], path: match[2], base: `${baseUrl}/c/${match[1]}` };
	}
	// ------------------------------------------------------------------ end of bench region

	let epoch = 0;
	let billed = 0;
	/** Sockets with a request not yet answered in full (reset() ends these; idle keep-alive ones stay). */
	const busy = new Set();
	server.on('request', (req, res) => {
		req.epoch = epoch;
		busy.add(req.socket);
		res.on('close', () => busy.delete(req.socket));
	});

	return {
		get url() {
			return baseUrl;
		},
		/** Jobs that were (or may have been) billed: v2 jobs created plus v1 runs started. */
		billed() {
			return billed;
		},
		requests,
		jobs,
		/** Change behaviour for the next requests (see DEFAULT_CONFIG). */
		configure(changes) {
			config = { ...config, ...changes };
		},
		/**
		 * Make the next `times` requests to `route` ('submit', 'status', 'result', 'download',
		 * 'upload', 'credits', 'sync' or '*') fail: { status, body, headers } answers with that,
		 * { hang: true } never answers, { reset: true } closes the socket.
		 * { afterCreate: true } on submit creates the job first, then answers with the fault.
		 * Optional: `times` (default 1), `when(entry)` to match only some requests (entry is the
		 * `requests` log entry: method, path, route, body…), and `body` / `headers` as functions
		 * of that entry.
		 */
		inject(route, fault) {
			injections.push({ route, times: 1, ...fault });
		},
		/** Requests seen on a route (or all), e.g. count('submit'); `since` (ms epoch) counts later ones only. */
		count(route, since) {
			return requests.filter((r) => (!route || r.route === route) && (since === undefined || r.at >= since)).length;
		},
		/**
		 * Back to the initial state. Requests still in flight (a hang, a drip, a slow v1 run from
		 * the previous test) are ended: their sockets are closed and they are never recorded.
		 */
		async reset() {
			epoch++;
			for (const socket of busy) socket.destroy();
			config = { ...DEFAULT_CONFIG, ...options };
			jobs.clear();
			requests.length = 0;
			injections.length = 0;
			jobCount = 0;
			billed = 0;
			limiter = { origin: undefined, window: -1, count: 0 };
			latencyRandom = mulberry32(1);
			await new Promise((resolve) => setImmediate(resolve));
		},
		async start(port = 0) {
			await new Promise((resolve, reject) => {
				server.once('error', reject);
				server.listen(port, '127.0.0.1', resolve);
			});
			baseUrl = `http://127.0.0.1:${server.address().port}`;
			return baseUrl;
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise((resolve) => server.close(() => resolve()));
		},
	};
}

const EDGE_FAULTS = ['drip', 'flood', 'truncate'];

module.exports = { createSegmindServer, jobTiming, mulberry32, STYLES };

if (require.main === module) {
	// `node test/server/segmind-server.js [port]`: run standalone (for manual tries and real-n8n tests).
	const port = Number(process.argv[2] || process.env.PORT || 0);
	const apiKey = process.env.LOCAL_SEGMIND_API_KEY || DEFAULT_CONFIG.apiKey;
	const s = createSegmindServer({ apiKey });
	s.start(port).then((url) => {
		process.stdout.write(`${url}\n`);
	});
	const stop = () => s.stop().then(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}
