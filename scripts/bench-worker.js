'use strict';
/**
 * One benchmark run in a fresh process (forked by scripts/bench.js, so runs do not share heap,
 * JIT, sockets or the node's per-key budget, and peak RSS is measured from a clean baseline).
 *
 * Time compression: BENCH_TIME_SCALE (env, e.g. 10) makes this process's clock run that much
 * faster: Date.now() and performance.now() advance 10 ms per real ms and setTimeout/setInterval
 * wait a tenth. The local Segmind server runs here too, on the same clock. So everything runs at
 * its real settings (22 s jobs, 60 s rate-limit windows, the node's 1 s poll interval and 22 s
 * expected job time, the SDK's 1 s interval) and takes a tenth of the time. What does not
 * compress is CPU work and socket latency: both count 10× in the figures (a pessimistic bias).
 *
 * It receives { strategy, n, executions, apiKey, server, binaryMode } over IPC, warms up against
 * a private server (short jobs), records the RSS baseline, runs the strategy against the
 * benchmark's server and sends back wall time, RSS, what came out and what the server saw.
 *
 * Strategies:
 *   node   this package's node inside n8n's engine with its defaults (Continue On Fail on, so a
 *          failed item is counted instead of ending the run). `executions` > 1: that many
 *          workflow executions at once in this process, n / executions items each (the burst).
 *   sdk    segmind-python's run_async (= submit_async().wait()): one job at a time, first status
 *          check at once, then every 1 s; no retries (a 429 or any error loses that job and the
 *          loop goes on, like a try/except around run_async()).
 *   naive  a hand-built HTTP Request + Wait loop: every job submitted at once, status every 1 s,
 *          a 429 waited out 1 s and sent again (headers ignored).
 */
const SCALE = Number(process.env.BENCH_TIME_SCALE || 1);
const real = { setInterval, clearInterval, setTimeout };
if (SCALE !== 1) installVirtualClock(SCALE);

function installVirtualClock(scale) {
	const { performance } = require('perf_hooks');
	const realNow = Date.now;
	const realPerf = performance.now.bind(performance);
	const t0 = realNow();
	const p0 = realPerf();
	// Both from the monotonic clock: a step of the system clock during a run (seen once: ~6 s) must
	// not move the server's rate-limit windows against the measured wall time.
	Date.now = () => Math.floor(t0 + (realPerf() - p0) * scale);
	performance.now = () => p0 + (realPerf() - p0) * scale;
	const scaled = (original) =>
		function (fn, ms, ...args) {
			return original(fn, Math.max(0, Number(ms) || 0) / scale, ...args);
		};
	global.setTimeout = scaled(real.setTimeout);
	global.setInterval = scaled(real.setInterval);
}

const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');

process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER || fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-bench-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

const { createSegmindServer } = require('../test/server/segmind-server');
const { serverStats } = require('./bench-lib');

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

async function runNode({ n, executions = 1, url, apiKey, options = {} }) {
	require('./ts-register');
	const harness = require('../test/harness/n8n-engine.ts');
	const per = Math.ceil(n / executions);
	const runs = await Promise.all(
		Array.from({ length: executions }, async (_, e) => {
			const count = Math.max(0, Math.min(per, n - e * per));
			const items = Array.from({ length: count }, (_, i) => ({ json: { n: e * per + i } }));
			const workflow = harness.segmindWorkflow({ options }, { items, name: `bench ${e}`, continueOnFail: true });
			return await harness.runWorkflow(workflow, { credentials: { apiKey, baseUrl: url, uploadBaseUrl: url } });
		}),
	);
	const out = runs.flatMap((result) => result.output('Segmind Face to Many'));
	const errors = out.filter((item) => !item.binary).map((item) => String(item.json.error || 'no output'));
	for (const result of runs) if (result.error) errors.push(`run failed: ${result.error.message}`);
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

/** One job the way run_async does it: submit, status at once and every interval, result, download. */
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
	return async function runBaseline({ n, url, apiKey }) {
		const job = {
			url,
			apiKey,
			intervalMs: 1000,
			retryMs: kind === 'naive' ? 1000 : undefined,
			timeoutMs: 600_000, // the SDK's default deadline
		};
		const lanes = kind === 'sdk' ? 1 : n;
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
	if (task.binaryMode === 'filesystem' && task.strategy === 'node') {
		require('./ts-register');
		const storage = await require('../test/harness/n8n-engine.ts').initBinaryDataMode('filesystem');
		process.once('exit', () => fs.rmSync(storage, { recursive: true, force: true }));
	} else if (task.binaryMode && task.binaryMode !== 'default' && task.binaryMode !== 'filesystem') {
		throw new Error(`unknown binary mode ${task.binaryMode}`);
	}
	const strategy = task.strategy === 'node' ? runNode : baselineStrategy(task.strategy);

	// Warm-up on a private server (module loading, JIT, sockets, heap sizing), outside the measured
	// run: a few short jobs (the node told they take 0.1 s, so the warm-up is short too).
	const warm = createSegmindServer({ apiKey: task.apiKey, queueMs: 5, processingMs: 50, imageBytes: task.server.imageBytes });
	const warmUrl = await warm.start();
	const warmJobs = Number(process.env.BENCH_WARMUP || (task.strategy === 'sdk' ? 1 : 4));
	await strategy({ ...task, executions: 1, n: warmJobs, url: warmUrl, options: { expectedJobSeconds: 0.1 } });
	await warm.stop();

	const server = createSegmindServer({ apiKey: task.apiKey, credits: 1e9, ...task.server });
	const url = await server.start();

	if (global.gc) {
		global.gc();
		global.gc();
	}
	await sleep(50);
	const rssBaseline = process.memoryUsage.rss();
	let rssPeak = rssBaseline;
	const sampler = real.setInterval(() => {
		rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	}, 5);

	const started = performance.now();
	const startedAt = Date.now();
	const outcome = await strategy({ ...task, url });
	const wallMs = performance.now() - started;
	// Where the time went (ms after the start): the server's view of the run.
	const at = (route, pick) => {
		const times = server.requests.filter((r) => r.route === route).map((r) => r.at - startedAt);
		return times.length ? pick(...times) : null;
	};
	const timeline = {
		lastSubmitMs: at('submit', Math.max),
		firstStatusMs: at('status', Math.min),
		lastResultMs: at('result', Math.max),
		lastDownloadMs: at('download', Math.max),
	};
	rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	real.clearInterval(sampler);

	const imageBytes = await outcome.imageBytes();
	const stats = serverStats(server.requests, [...server.jobs.keys()], task.n);
	await server.stop();
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
		stats,
		timeline,
		errors: [...counts].map(([message, count]) => ({ message: message.slice(0, 200), count })),
	};
}

process.once('message', (task) => {
	run(task).then(
		(result) => process.send({ ok: true, result }, () => process.exit(0)),
		(error) => process.send({ ok: false, error: String((error && error.stack) || error) }, () => process.exit(1)),
	);
});
