'use strict';
/**
 * One benchmark run in a fresh process (forked by scripts/bench.js, so runs do not share heap,
 * JIT or sockets and peak RSS is measured from a clean baseline). It receives
 * { strategy, n, url, apiKey, scale, concurrency, imageBytes, binaryMode } over IPC, warms up
 * against a private local server (1 job), records the RSS baseline, runs the strategy against the
 * benchmark's server and sends back wall time, RSS figures and what came out.
 *
 * binaryMode (node strategies only): 'default' keeps each output image in the items as base64
 * until the run ends, as n8n's default mode does; 'filesystem' first puts n8n-core's
 * BinaryDataService in filesystem mode (a temp dir, removed on exit), so items carry only a
 * reference. The baselines keep their Buffers in memory either way.
 *
 * Strategies:
 *   node        this package's node inside n8n's engine, defaults apart from the time unit
 *               (pollIntervalSeconds = 1 / scale) and maxConcurrency; Continue On Fail on, so a
 *               failed item is counted instead of ending the run.
 *   node-fixed  the same with pollingMode 'fixed' (the node's old strategy, for comparison).
 *   sdk         the official SDK's strategy: one job at a time, first poll at once, then every
 *               1 s (scaled); no retries at all (a 429 or any error fails that job, the loop
 *               goes on with the next item, like a try/except around segmind.run()).
 *   naive       `concurrency` jobs at a time, the SDK's fixed 1 s (scaled) polling; on a 429 it
 *               waits 1 s (scaled) and sends the same request again, ignoring the headers.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER || fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-bench-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

const { createSegmindServer } = require('../test/server/segmind-server');

const DEFAULT_BODY = {
	image: 'https://segmind-sd-models.s3.amazonaws.com/display_images/Ftm_ip.png.jpg',
	style: '3D',
	prompt: 'a person',
	negative_prompt: '',
	seed: -1,
	lora_scale: 1,
	prompt_strength: 4.5,
	denoising_strength: 0.65,
	instant_id_strength: 1,
	control_depth_strength: 0.8,
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- the node, in n8n's engine

function nodeStrategy(pollingMode) {
	require('./ts-register');
	const harness = require('../test/harness/n8n-engine.ts');
	return async function runNode({ n, url, apiKey, scale, concurrency }) {
		const items = Array.from({ length: n }, (_, i) => ({ json: { n: i } }));
		const workflow = harness.segmindWorkflow(
			{
				options: {
					maxConcurrency: concurrency,
					pollIntervalSeconds: Math.max(0.1, 1 / scale),
					pollingMode,
				},
			},
			{ items, name: 'bench', continueOnFail: true },
		);
		const result = await harness.runWorkflow(workflow, { credentials: { apiKey, baseUrl: url, uploadBaseUrl: url } });
		const out = result.output('Segmind Face to Many');
		const errors = out.filter((item) => !item.binary).map((item) => String(item.json.error || 'no output'));
		if (result.error) errors.push(`run failed: ${result.error.message}`);
		return {
			done: out.filter((item) => item.binary).length,
			// Outputs stored by reference (filesystem mode: an id, no base64 in the item).
			binaryIds: out.filter((item) => item.binary && item.binary.data && item.binary.data.id).length,
			errors,
			// Read the bytes after the clock stopped (see run()): outputs live in n8n's binary store.
			imageBytes: async () => {
				let total = 0;
				for (const item of out) if (item.binary) total += (await harness.binaryBuffer(item)).length;
				return total;
			},
		};
	};
}

// ---------------------------------------------------------------- the baselines, plain JS

class JobError extends Error {}

/** A keyed request; a 429 throws (sdk) or is retried after `retryMs` (naive). */
async function keyed(url, init, { apiKey, retryMs, deadline }) {
	for (;;) {
		const res = await fetch(url, { ...init, headers: { ...(init.headers || {}), 'x-api-key': apiKey } });
		const text = await res.text();
		let body;
		try {
			body = JSON.parse(text);
		} catch {
			body = text;
		}
		if (res.status === 429 && retryMs !== undefined && Date.now() + retryMs < deadline) {
			await sleep(retryMs);
			continue;
		}
		return { status: res.status, body };
	}
}

function outputUrl(body) {
	if (typeof body.output === 'string') return body.output;
	if (Array.isArray(body.output) && body.output.length) return body.output[0];
	if (Array.isArray(body.images) && body.images.length) return body.images[0].url;
	throw new JobError('result without an output URL');
}

/** One job the way segmind.run() does it: submit, poll at once and every interval, fetch, download. */
async function baselineJob({ url, apiKey, intervalMs, retryMs, timeoutMs }) {
	const deadline = Date.now() + timeoutMs;
	const opts = { apiKey, retryMs, deadline };
	const submit = await keyed(
		`${url}/v2/face-to-many`,
		{ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(DEFAULT_BODY) },
		opts,
	);
	if (submit.status !== 200) throw new JobError(`submit: HTTP ${submit.status}`);
	const { status_url: statusUrl, response_url: responseUrl } = submit.body;
	for (let first = true; ; first = false) {
		if (!first) await sleep(intervalMs);
		if (Date.now() > deadline) throw new JobError('timeout');
		const status = await keyed(statusUrl, { method: 'GET' }, opts);
		const state = status.body && status.body.status;
		if (state === 'COMPLETED') break;
		if (state === 'FAILED') throw new JobError(`job failed: ${status.body.error}`);
		if (status.status !== 200) throw new JobError(`status: HTTP ${status.status}`);
	}
	const result = await keyed(responseUrl, { method: 'GET' }, opts);
	if (result.status !== 200) throw new JobError(`result: HTTP ${result.status}`);
	const image = await fetch(outputUrl(result.body)); // public URL: no API key
	if (!image.ok) throw new JobError(`download: HTTP ${image.status}`);
	return Buffer.from(await image.arrayBuffer());
}

function baselineStrategy(kind) {
	return async function runBaseline({ n, url, apiKey, scale, concurrency }) {
		const unitMs = 1000 / scale;
		const job = {
			url,
			apiKey,
			intervalMs: unitMs,
			retryMs: kind === 'naive' ? unitMs : undefined,
			timeoutMs: 600_000 / scale, // the SDK's 600 s deadline, scaled
		};
		const lanes = kind === 'sdk' ? 1 : concurrency;
		const images = [];
		const errors = [];
		let next = 0;
		await Promise.all(
			Array.from({ length: Math.min(lanes, n) }, async () => {
				while (next < n) {
					next++;
					try {
						images.push(await baselineJob(job));
					} catch (error) {
						errors.push(error instanceof JobError ? error.message : String(error));
					}
				}
			}),
		);
		return { done: images.length, errors, imageBytes: async () => images.reduce((sum, b) => sum + b.length, 0) };
	};
}

// ---------------------------------------------------------------- one measured run

async function run(task) {
	if (task.binaryMode === 'filesystem' && task.strategy.startsWith('node')) {
		require('./ts-register');
		const storage = await require('../test/harness/n8n-engine.ts').initBinaryDataMode('filesystem');
		process.once('exit', () => fs.rmSync(storage, { recursive: true, force: true }));
	} else if (task.binaryMode && task.binaryMode !== 'default' && task.binaryMode !== 'filesystem') {
		throw new Error(`unknown binary mode ${task.binaryMode}`);
	}
	const strategy =
		task.strategy === 'node'
			? nodeStrategy('adaptive')
			: task.strategy === 'node-fixed'
				? nodeStrategy('fixed')
				: baselineStrategy(task.strategy);

	// Warm-up on a private server (module loading, JIT, sockets, heap sizing), outside the
	// measured run: as many short jobs as the strategy runs at once (BENCH_WARMUP overrides).
	const warm = createSegmindServer({ apiKey: task.apiKey, queueMs: 5, processingMs: 20, imageBytes: task.imageBytes });
	const warmUrl = await warm.start();
	const warmJobs = Number(process.env.BENCH_WARMUP || (task.strategy === 'sdk' ? 1 : task.concurrency));
	await strategy({ ...task, n: warmJobs, url: warmUrl });
	await warm.stop();

	if (global.gc) {
		global.gc();
		global.gc();
	}
	await sleep(50);
	const rssBaseline = process.memoryUsage.rss();
	let rssPeak = rssBaseline;
	const sampler = setInterval(() => {
		rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	}, 5);

	const started = performance.now();
	const outcome = await strategy(task);
	const wallMs = performance.now() - started;
	rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	clearInterval(sampler);

	const imageBytes = await outcome.imageBytes();
	const counts = new Map();
	for (const e of outcome.errors) counts.set(e, (counts.get(e) || 0) + 1);
	return {
		wallMs,
		rssBaseline,
		rssPeak,
		done: outcome.done,
		lost: task.n - outcome.done,
		binaryIds: outcome.binaryIds === undefined ? null : outcome.binaryIds,
		imageBytes,
		errors: [...counts].map(([message, count]) => ({ message: message.slice(0, 200), count })),
	};
}

process.once('message', (task) => {
	run(task).then(
		(result) => process.send({ ok: true, result }, () => process.exit(0)),
		(error) => process.send({ ok: false, error: String((error && error.stack) || error) }, () => process.exit(1)),
	);
});
