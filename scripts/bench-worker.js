'use strict';
/**
 * One process of a benchmark run (forked by scripts/bench.js): the local Segmind server, or one
 * client (this node in n8n's engine, the naive loop, the SDK's strategy). A run is one server
 * process and one or more client processes on the same API key, so the key's rate limit is
 * shared the way queue-mode workers share it (several budgets, one limit); processes share no
 * heap, JIT, sockets or per-key budget, and each client's peak RSS is measured from a clean baseline.
 *
 * Time compression: every process of a run runs the same compressed clock. BENCH_TIME_SCALE (e.g.
 * 10) makes Date.now() and performance.now() advance 10 ms per real ms and setTimeout/setInterval
 * wait a tenth; BENCH_CLOCK_T0 (a real instant, ms: performance.timeOrigin + performance.now())
 * and BENCH_CLOCK_V0 (the compressed Date.now() at that instant) put all processes on one
 * timeline, so the server's rate-limit windows and reset times mean the same to every client. So
 * everything runs at its real settings (22 s jobs, 60 s windows, 200 ms round trips, the node's
 * 1 s poll interval and 22 s expected job time) and takes a tenth of the time. What does not
 * compress is CPU work and timer grain: both count 10× in the figures (scripts/bench-lib.js
 * chooses the compression per run to keep that small, and the results record the CPU used).
 *
 * Protocol (IPC): the parent sends { type: 'start', task }; the process answers { type: 'ready',
 * … } (the server with its URLs; a client after its warm-up); the parent sends { type: 'go' } to
 * the clients (all at once) and { type: 'stop' } to the server when they are done; each answers
 * { type: 'result', ok, result | error } and exits.
 *
 * Roles (task.role):
 *   server  the bench server (task.server: job times, rate limit, latency) and a private warm-up
 *           server (short jobs, no limit); its result is what it saw, per client tag.
 *   node    this package's node inside n8n's engine with its defaults (Continue On Fail on, so a
 *           failed item is counted instead of ending the run). `executions` > 1: that many
 *           workflow executions at once in this process, n / executions items each (the burst).
 *           Its pause log (n8n's logger) is recorded.
 *   sdk     segmind-python's run_async (= submit_async().wait()): one job at a time, first status
 *           check at once, then every 1 s; no retries (a 429 or any error loses that job and the
 *           loop goes on, like a try/except around run_async()).
 *   naive   a hand-built HTTP Request + Wait loop: every job submitted at once, status every 1 s,
 *           a 429 waited out 1 s and sent again (headers ignored), 600 s deadline a job.
 * Clients reach the server under their own client tag (`<url>/c/<tag>`), so the server counts
 * each process's requests and 429s apart.
 */
const SCALE = Number(process.env.BENCH_TIME_SCALE || 1);
const real = { setInterval, clearInterval, setTimeout };
const realCpu = process.cpuUsage;
if (SCALE !== 1 || process.env.BENCH_CLOCK_T0) installVirtualClock(SCALE);

function installVirtualClock(scale) {
	const { performance } = require('perf_hooks');
	const realPerf = performance.now.bind(performance);
	// A real instant every process of the run agrees on (sub-millisecond between processes on one
	// machine), and the compressed epoch at that instant. Both from the monotonic clock: a step of
	// the system clock during a run (seen once: ~6 s) must not move the server's rate-limit windows
	// against the measured wall time.
	const absolute = () => performance.timeOrigin + realPerf();
	const t0 = Number(process.env.BENCH_CLOCK_T0 || absolute());
	const v0 = Number(process.env.BENCH_CLOCK_V0 || Date.now());
	const p0 = t0 - performance.timeOrigin;
	Date.now = () => Math.floor(v0 + (absolute() - t0) * scale);
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

process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER || fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-bench-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
const USER_FOLDER = process.env.N8N_USER_FOLDER;
process.once('exit', () => {
	if (path.basename(USER_FOLDER).startsWith('segmind-bench-')) fs.rmSync(USER_FOLDER, { recursive: true, force: true });
});

const { createSegmindServer } = require('../test/server/segmind-server');
const { serverStats, perClient, parsePauseLine } = require('./bench-lib');

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
const cpuMs = (since) => {
	const { user, system } = realCpu(since);
	return (user + system) / 1000;
};

// ---------------------------------------------------------------- the server

async function serve(task, messages) {
	const warm = createSegmindServer({ apiKey: task.apiKey, queueMs: 5, processingMs: 50, imageBytes: task.server.imageBytes });
	const server = createSegmindServer({ apiKey: task.apiKey, credits: 1e9, ...task.server });
	const [warmUrl, url] = [await warm.start(), await server.start()];
	const cpuStart = realCpu();
	process.send({ type: 'ready', url, warmUrl });
	await messages.next('stop');
	const cpu = cpuMs(cpuStart);
	const jobIds = [...server.jobs.keys()];
	const requests = server.requests;
	const firstAt = (route) => Math.min(...requests.filter((r) => r.route === route).map((r) => r.at));
	const lastAt = (route) => Math.max(...requests.filter((r) => r.route === route).map((r) => r.at));
	const result = {
		stats: serverStats(requests, jobIds, task.n),
		perClient: perClient(requests),
		billed: server.billed(),
		cpuMs: cpu,
		// Where the time went (server's clock, ms epoch): compare with the clients' start.
		timeline: { firstSubmit: firstAt('submit'), lastSubmit: lastAt('submit'), firstStatus: firstAt('status'), lastResult: lastAt('result'), lastDownload: lastAt('download') },
	};
	await Promise.all([warm.stop(), server.stop()]);
	return result;
}

// ---------------------------------------------------------------- the node, in n8n's engine

/** n8n's logger as the node sees it (`this.logger`), recording the pause log lines. */
function recordNodeLog() {
	const pauses = [];
	const { Container } = require('@n8n/di');
	const { Logger } = require('@n8n/backend-common');
	const record = (message) => {
		const pause = parsePauseLine(String(message));
		if (pause) pauses.push({ at: Date.now(), ...pause });
	};
	const logger = { error: () => {}, warn: () => {}, info: record, debug: () => {} };
	Container.set(Logger, { ...logger, scoped: () => logger });
	return pauses;
}

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

// ---------------------------------------------------------------- one client's measured run

/**
 * Promises that reject with nobody listening (e.g. the loser of a deadline race). n8n logs them
 * and goes on; Node would end the process. The bench records them, like n8n, and counts them.
 */
function recordUnhandledRejections() {
	const seen = [];
	process.on('unhandledRejection', (reason) => {
		seen.push(String((reason && (reason.stack || reason.message)) || reason).split('\n').slice(0, 3).join(' | ').slice(0, 300));
	});
	return seen;
}

async function client(task, messages) {
	const unhandled = recordUnhandledRejections();
	if (task.binaryMode === 'filesystem' && task.role === 'node') {
		require('./ts-register');
		const storage = await require('../test/harness/n8n-engine.ts').initBinaryDataMode('filesystem');
		process.once('exit', () => fs.rmSync(storage, { recursive: true, force: true }));
	} else if (task.binaryMode && task.binaryMode !== 'default' && task.binaryMode !== 'filesystem') {
		throw new Error(`unknown binary mode ${task.binaryMode}`);
	}
	const strategy = task.role === 'node' ? runNode : baselineStrategy(task.role);

	// Warm-up on the private server (module loading, JIT, sockets, heap sizing), outside the measured
	// run: a few short jobs (the node told they take 0.1 s, so the warm-up is short too).
	const warmJobs = Number(process.env.BENCH_WARMUP || (task.role === 'sdk' ? 1 : 4));
	await strategy({ ...task, executions: 1, n: warmJobs, url: task.warmUrl, options: { expectedJobSeconds: 0.1 } });
	const pauses = task.role === 'node' ? recordNodeLog() : [];

	if (global.gc) {
		global.gc();
		global.gc();
	}
	await sleep(50);
	process.send({ type: 'ready' });
	await messages.next('go');

	const rssBaseline = process.memoryUsage.rss();
	let rssPeak = rssBaseline;
	const sampler = real.setInterval(() => {
		rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	}, 5);
	const cpuStart = realCpu();
	const startAt = Date.now();
	const outcome = await strategy({ ...task, url: `${task.url}/c/${task.client}` });
	const endAt = Date.now();
	const cpu = cpuMs(cpuStart);
	rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
	real.clearInterval(sampler);

	return {
		client: task.client,
		n: task.n,
		startAt,
		endAt,
		cpuMs: cpu,
		rssBaseline,
		rssPeak,
		done: outcome.done,
		binaryIds: outcome.binaryIds === undefined ? null : outcome.binaryIds,
		imageBytes: await outcome.imageBytes(),
		errors: outcome.errors,
		pauses,
		unhandledRejections: unhandled,
	};
}

// ---------------------------------------------------------------- IPC

/** Messages from the parent, awaited by type. */
function inbox() {
	const queue = [];
	const waiting = [];
	process.on('message', (message) => {
		const i = waiting.findIndex((w) => w.type === message.type);
		if (i !== -1) waiting.splice(i, 1)[0].resolve(message);
		else queue.push(message);
	});
	return {
		next(type) {
			const i = queue.findIndex((m) => m.type === type);
			if (i !== -1) return Promise.resolve(queue.splice(i, 1)[0]);
			return new Promise((resolve) => waiting.push({ type, resolve }));
		},
	};
}

const messages = inbox();
messages.next('start').then(async ({ task }) => {
	try {
		const result = task.role === 'server' ? await serve(task, messages) : await client(task, messages);
		process.send({ type: 'result', ok: true, result }, () => process.exit(0));
	} catch (error) {
		process.send({ type: 'result', ok: false, error: String((error && error.stack) || error) }, () => process.exit(1));
	}
});
