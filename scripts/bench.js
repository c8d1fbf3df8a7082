#!/usr/bin/env node
'use strict';
/**
 * Benchmark: N items through (a) this node with its defaults inside n8n's engine, (b) the
 * official SDK's run_async strategy and (c) a naive all-at-once polling loop, against the local
 * Segmind server emulating Segmind's job times under three rate-limit models: none, only submits
 * count, every keyed request counts. Each run is its own process on a compressed clock (see
 * bench-worker.js). Prints a table, writes bench/results/<timestamp>.json and latest.json, and
 * renders docs/bench.svg. See docs/performance.md.
 *
 *   npm run bench
 *   BENCH_MODELS=all BENCH_SIZES=32,burst BENCH_STRATEGIES=node npm run bench
 *
 * Settings (environment): BENCH_SCALE (10: the clock runs 10× faster, 22 s jobs take 2.2 s),
 * BENCH_MODELS (none,submits,all), BENCH_SIZES (1,8,32,100,300,burst; "burst" = 32 executions of
 * one item at once in one process), BENCH_STRATEGIES (node,sdk,naive), BENCH_SDK_SIZES (1,8: the
 * SDK runs one job at a time, so larger N only take longer), BENCH_NAIVE_SIZES (8,32),
 * BENCH_JOB_S (22), BENCH_SPREAD (0.2: each job takes 22 s × (1 ± 0.2), uniform), BENCH_RPM (50:
 * Segmind's Pro plan), BENCH_SEED (1), BENCH_IMAGE_KB (512), BENCH_OUT (bench/results),
 * BENCH_CHART (docs/bench.svg, or bench.svg in BENCH_OUT when that is set), BENCH_BINARY_MODE
 * (default: images stay in the items as base64, n8n's default; filesystem: n8n-core's
 * BinaryDataService stores them in a temp dir; node only), BENCH_FS_SIZES (100,300: extra node
 * runs without a limit in filesystem mode; empty for none).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { fork, spawnSync, execSync } = require('child_process');

const { jobTiming } = require('../test/server/segmind-server');
const { lowerBound, median } = require('./bench-lib');
const { renderChart } = require('./bench-chart');

const ROOT = path.resolve(__dirname, '..');
const env = (name, fallback) => (process.env[name] !== undefined && process.env[name] !== '' ? process.env[name] : fallback);
const list = (value) => String(value).split(',').map((s) => s.trim()).filter(Boolean);
const sizeOf = (size) => (size === 'burst' ? 32 : Number(size));

const SETTINGS = {
	scale: Number(env('BENCH_SCALE', 10)),
	models: list(env('BENCH_MODELS', 'none,submits,all')),
	sizes: list(env('BENCH_SIZES', '1,8,32,100,300,burst')),
	strategies: list(env('BENCH_STRATEGIES', 'node,sdk,naive')),
	sdkSizes: list(env('BENCH_SDK_SIZES', '1,8')),
	naiveSizes: list(env('BENCH_NAIVE_SIZES', '8,32')),
	jobSeconds: Number(env('BENCH_JOB_S', 22)),
	spread: Number(env('BENCH_SPREAD', 0.2)),
	queueShare: 0.05,
	requestsPerMinute: Number(env('BENCH_RPM', 50)),
	windowSeconds: 60,
	burstExecutions: 32,
	seed: Number(env('BENCH_SEED', 1)),
	imageKb: Number(env('BENCH_IMAGE_KB', 512)),
	binaryMode: env('BENCH_BINARY_MODE', 'default'),
	/** Extra node runs without a rate limit in filesystem binary mode (memory stays flat); '' for none. */
	filesystemSizes: list(process.env.BENCH_FS_SIZES !== undefined ? process.env.BENCH_FS_SIZES : '100,300'),
};
const OUT_DIR = path.resolve(ROOT, env('BENCH_OUT', 'bench/results'));
// The docs' chart, unless the results go elsewhere (then the chart goes with them).
const CHART = path.resolve(ROOT, env('BENCH_CHART', process.env.BENCH_OUT ? path.join(OUT_DIR, 'bench.svg') : 'docs/bench.svg'));
const NODE_FILE = path.join(ROOT, 'dist/nodes/SegmindFaceToMany/SegmindFaceToMany.node.js');
const API_KEY = 'bench-key';

const LABELS = {
	node: '(a) this node, defaults',
	sdk: '(b) SDK run_async, one at a time',
	naive: '(c) naive loop, all at once',
};
const MODELS = {
	none: 'no rate limit',
	submits: `${SETTINGS.requestsPerMinute}/min, only submits count`,
	all: `${SETTINGS.requestsPerMinute}/min, every keyed request counts`,
};

const LB_FORMULA =
	'LB = max(J, R). J = max over k of floor(k / L) × W + d_k: the k-th job created cannot be created before window floor(k / L) ' +
	'(no limit: 0) and takes its drawn duration d_k (the server gives the k-th job created the k-th duration, whoever submits it). ' +
	'R (every request counts) = (ceil(3N / L) − 1) × W: at least 3 keyed requests a job (submit, one status check, the result). ' +
	'L = limit per window, W = window (60 s). All jobs in flight at once; no client setting enters it.';

function check() {
	const bad = SETTINGS.strategies.filter((s) => !LABELS[s]);
	if (bad.length) throw new Error(`unknown strategy ${bad.join(', ')} (known: ${Object.keys(LABELS).join(', ')})`);
	const badModels = SETTINGS.models.filter((m) => !MODELS[m]);
	if (badModels.length) throw new Error(`unknown model ${badModels.join(', ')} (known: ${Object.keys(MODELS).join(', ')})`);
	if (!['default', 'filesystem'].includes(SETTINGS.binaryMode)) throw new Error('BENCH_BINARY_MODE must be default or filesystem');
	if (!(SETTINGS.scale >= 1)) throw new Error('BENCH_SCALE must be 1 or more');
	if (!fs.existsSync(NODE_FILE)) throw new Error(`${path.relative(ROOT, NODE_FILE)} is missing: run "npm run build" (npm run bench does)`);
}

/**
 * Time to require the built node in a fresh process (median of several runs): cold (the first
 * require also loads n8n-workflow, which n8n itself has loaded long before) and inside n8n
 * (n8n-workflow and zod already loaded: what the node itself adds when n8n loads it).
 */
function moduleLoadMs(runs = 7) {
	const timed = (pre) =>
		`${pre}const t=process.hrtime.bigint();require(${JSON.stringify(NODE_FILE)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
	const measureCode = (code) => {
		const times = [];
		for (let i = 0; i < runs; i++) {
			const out = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' });
			if (out.status !== 0) throw new Error(`loading the node failed: ${out.stderr}`);
			times.push(Number(out.stdout));
		}
		return median(times);
	};
	return { coldMs: measureCode(timed('')), withN8nLoadedMs: measureCode(timed("require('n8n-workflow');require('zod');")), runs };
}

function runWorker(task) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, 'bench-worker.js'), [], {
			execArgv: ['--expose-gc'],
			stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
			env: { ...process.env, BENCH_TIME_SCALE: String(SETTINGS.scale) },
		});
		let answered = false;
		child.once('message', (message) => {
			answered = true;
			if (message.ok) resolve(message.result);
			else reject(new Error(message.error));
		});
		child.once('exit', (code) => {
			if (!answered) reject(new Error(`bench worker exited with code ${code}`));
		});
		child.send(task);
	});
}

async function measure(model, strategy, size, binaryMode = SETTINGS.binaryMode) {
	const n = sizeOf(size);
	const executions = size === 'burst' ? SETTINGS.burstExecutions : 1;
	const jobTimes = { meanMs: SETTINGS.jobSeconds * 1000, spread: SETTINGS.spread, queueShare: SETTINGS.queueShare, seed: SETTINGS.seed };
	const windowMs = SETTINGS.windowSeconds * 1000;
	const limit = model === 'none' ? 0 : SETTINGS.requestsPerMinute;
	const worker = await runWorker({
		strategy,
		n,
		executions,
		apiKey: API_KEY,
		binaryMode,
		server: {
			jobTimes,
			rateLimit: limit > 0 ? { limit, windowMs, counts: model } : null,
			imageSize: 256,
			imageBytes: SETTINGS.imageKb * 1024,
		},
	});
	const durations = Array.from({ length: n }, (_, k) => {
		const t = jobTiming(jobTimes, k);
		return t.queueMs + t.processingMs;
	});
	const lb = lowerBound({ durations, limit, windowMs, counts: model });
	const growth = worker.rssPeak - worker.rssBaseline;
	return {
		model,
		strategy,
		binaryMode,
		label: binaryMode === 'filesystem' ? `${LABELS[strategy]}, filesystem binary mode` : LABELS[strategy],
		size: String(size),
		n,
		executions,
		wallS: worker.wallMs / 1000,
		lowerBoundS: lb.lowerBoundMs / 1000,
		jobsBoundS: lb.jobsMs / 1000,
		rateBoundS: lb.rateMs / 1000,
		binding: lb.binding,
		wallOverLb: worker.wallMs / lb.lowerBoundMs,
		...worker.stats,
		timeline: worker.timeline,
		done: worker.done,
		lost: worker.lost,
		binaryIds: worker.binaryIds,
		errors: worker.errors,
		imageBytes: worker.imageBytes,
		rssBaselineMb: worker.rssBaseline / 2 ** 20,
		rssPeakMb: worker.rssPeak / 2 ** 20,
		rssGrowthMb: growth / 2 ** 20,
		growthOverImageBytes: worker.imageBytes ? growth / worker.imageBytes : null,
	};
}

const fixed = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));

function table(rows) {
	const lines = [
		'| limit | N | strategy | wall (s) | LB (s) | wall ÷ LB | keyed requests/job | status checks/done job | 429s (max in a window) | done / lost | peak RSS growth (MB) | growth ÷ image bytes |',
		'|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const r of rows) {
		lines.push(
			`| ${r.model} | ${r.size === 'burst' ? `burst (${r.executions}×1)` : r.n} | ${r.label} | ${fixed(r.wallS, 1)} | ${fixed(r.lowerBoundS, 1)}${r.binding === 'rate' ? ' ᴿ' : ''} | ${r.lost ? `– (${r.lost} lost)` : fixed(r.wallOverLb)} | ${fixed(r.keyedPerJob, 1)} | ${fixed(r.pollsPerDoneJob, 1)} | ${r.rateLimited} (${r.max429PerWindow}) | ${r.done} / ${r.lost} | ${fixed(r.rssGrowthMb, 1)} | ${fixed(r.growthOverImageBytes, 2)} |`,
		);
	}
	return lines.join('\n');
}

/** The issue's targets, checked on the node's rows. */
function targets(rows) {
	const out = [];
	const node = rows.filter((r) => r.strategy === 'node' && r.binaryMode === SETTINGS.binaryMode);
	const add = (target, measured, met, note) => out.push({ target, measured, met, note });
	for (const model of ['submits', 'all']) {
		for (const [size, factor] of [['1', 1.1], ['32', 1.15], ['100', 1.15]]) {
			const r = node.find((x) => x.model === model && x.size === size);
			if (!r) continue;
			add(`${MODELS[model]}, N=${size}: wall ≤ ${factor} × LB`, `${fixed(r.wallOverLb)} × LB (${fixed(r.wallS, 1)} s vs ${fixed(r.lowerBoundS, 1)} s)`, !r.lost && r.wallOverLb <= factor);
		}
	}
	const lost = node.filter((r) => r.lost);
	add('nothing lost at any N, burst included', lost.length ? lost.map((r) => `${r.model} ${r.size}: ${r.lost} lost`).join('; ') : `0 lost in ${node.length} runs`, lost.length === 0);
	const limited = node.filter((r) => r.model !== 'none');
	const worst = limited.reduce((m, r) => Math.max(m, r.max429PerWindow), 0);
	add('at most one 429 per rate-limit window', `at most ${worst} in a window (${limited.reduce((s, r) => s + r.rateLimited, 0)} 429s in ${limited.length} rate-limited runs)`, worst <= 1);
	const sdk = rows.filter((r) => r.strategy === 'sdk' && r.model === 'none' && !r.lost);
	const sdkPerJob = sdk.length ? median(sdk.map((r) => r.keyedPerJob)) : null;
	if (sdkPerJob) {
		const worstNode = node.filter((r) => r.n > 1).reduce((m, r) => Math.max(m, r.keyedPerJob), 0);
		const n1 = node.filter((r) => r.n === 1).reduce((m, r) => Math.max(m, r.keyedPerJob), 0);
		add(
			'API requests per job ≤ ⅓ of the SDK strategy',
			`SDK ${fixed(sdkPerJob, 1)}/job (limit ${fixed(sdkPerJob / 3, 1)}); node worst at N > 1: ${fixed(worstNode, 1)}, at N = 1: ${fixed(n1, 1)}`,
			worstNode <= sdkPerJob / 3,
		);
	}
	const memory = node.filter((r) => r.model === 'none' && r.growthOverImageBytes !== null);
	if (memory.length) {
		const worstMem = memory.reduce((m, r) => (r.growthOverImageBytes > m.growthOverImageBytes ? r : m));
		add(
			`peak RSS growth ≤ 3 × image bytes (${SETTINGS.binaryMode} binary mode, no limit)`,
			memory.map((r) => `N=${r.size}: ${fixed(r.growthOverImageBytes)}×`).join(', '),
			worstMem.growthOverImageBytes <= 3,
		);
	}
	const flat = rows.filter((r) => r.strategy === 'node' && r.binaryMode === 'filesystem');
	if (flat.length) {
		add(
			'filesystem binary mode: peak RSS growth flat in N',
			flat.map((r) => `N=${r.size}: ${fixed(r.rssGrowthMb, 1)} MB for ${fixed(r.imageBytes / 2 ** 20, 0)} MB of images`).join(', '),
			flat.length < 2 || Math.max(...flat.map((r) => r.rssGrowthMb)) <= 1.5 * Math.min(...flat.map((r) => r.rssGrowthMb)) + 20,
		);
	}
	return out;
}

function gitCommit() {
	try {
		return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

function plan() {
	const runs = [];
	for (const model of SETTINGS.models) {
		for (const size of SETTINGS.sizes) {
			for (const strategy of SETTINGS.strategies) {
				if (strategy === 'sdk' && !SETTINGS.sdkSizes.includes(size)) continue;
				if (strategy === 'naive' && !SETTINGS.naiveSizes.includes(size)) continue;
				if (strategy !== 'node' && (size === 'burst' || SETTINGS.binaryMode !== 'default')) continue;
				runs.push({ model, strategy, size });
			}
		}
	}
	if (SETTINGS.binaryMode === 'default' && SETTINGS.strategies.includes('node')) {
		for (const size of SETTINGS.filesystemSizes) runs.push({ model: 'none', strategy: 'node', size, binaryMode: 'filesystem' });
	}
	return runs;
}

async function main() {
	check();
	const s = SETTINGS;
	console.log(
		`Clock ×${s.scale} (every run sees real times and takes 1/${s.scale} of them): jobs ${s.jobSeconds} s × (1 ± ${s.spread}) (seed ${s.seed}, ${s.queueShare * 100}% queued); ` +
			`rate limits ${s.requestsPerMinute} per ${s.windowSeconds} s window; ${s.imageKb} KB images; binary mode ${s.binaryMode}; node: defaults; Node ${process.version}, ${os.cpus().length} cores.`,
	);
	const load = moduleLoadMs();
	console.log(
		`Node module load time (median of ${load.runs}): ${fixed(load.withN8nLoadedMs, 1)} ms with n8n-workflow loaded (as in n8n), ${fixed(load.coldMs, 1)} ms cold.\n`,
	);

	const rows = [];
	const started = Date.now();
	for (const { model, strategy, size, binaryMode } of plan()) {
		const row = await measure(model, strategy, size, binaryMode);
		rows.push(row);
		console.log(
			`${model.padEnd(7)} ${String(size).padStart(5)} ${row.label.padEnd(34)} wall ${fixed(row.wallS, 1).padStart(7)} s = ${fixed(row.wallOverLb)} × LB, ` +
				`${fixed(row.keyedPerJob, 1)} req/job, ${row.rateLimited} × 429 (max ${row.max429PerWindow}/window), ${row.done}/${row.n} done` +
				(row.errors.length ? ` (${row.errors.map((e) => `${e.count}× ${e.message}`).join('; ')})` : '') +
				(process.env.BENCH_VERBOSE ? ` ${JSON.stringify(row.timeline)}` : ''),
		);
	}

	console.log(`\n${table(rows)}\n`);
	console.log(`ᴿ: the rate bound is the larger one. ${LB_FORMULA}`);
	console.log('keyed requests/job: every request with the API key (429s included) ÷ N; status checks/done job: status requests per job whose result was collected.\n');
	const goals = targets(rows);
	for (const g of goals) console.log(`${g.met ? 'met   ' : 'MISSED'}  ${g.target}: ${g.measured}`);

	const results = {
		meta: {
			date: new Date().toISOString(),
			commit: gitCommit(),
			node: process.version,
			cpus: os.cpus().length,
			settings: s,
			models: MODELS,
			nodeOptions: 'defaults (Continue On Fail on, to count lost items)',
			moduleLoad: load,
			lowerBound: LB_FORMULA,
			durationS: (Date.now() - started) / 1000,
			command: 'npm run bench',
		},
		rows,
		targets: goals,
	};
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const stamp = results.meta.date.replace(/[:.]/g, '-');
	const file = path.join(OUT_DIR, `${stamp}.json`);
	fs.writeFileSync(file, `${JSON.stringify(results, null, '\t')}\n`);
	fs.writeFileSync(path.join(OUT_DIR, 'latest.json'), `${JSON.stringify(results, null, '\t')}\n`);
	fs.mkdirSync(path.dirname(CHART), { recursive: true });
	fs.writeFileSync(CHART, renderChart(results));
	console.log(`\nWrote ${path.relative(ROOT, file)}, ${path.relative(ROOT, path.join(OUT_DIR, 'latest.json'))} and ${path.relative(ROOT, CHART)} (${fixed(results.meta.durationS / 60, 1)} min).`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
