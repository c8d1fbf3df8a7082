#!/usr/bin/env node
'use strict';
/**
 * Benchmark (issue 6): N items through (a) this node inside n8n's engine, (b) the official SDK's
 * strategy and (c) naive concurrent polling, against the local Segmind server emulating
 * Segmind's job times and a server-side rate limit, all time-scaled by BENCH_SCALE.
 * Prints a table, writes bench/results/<timestamp>.json and latest.json, renders docs/bench.svg.
 *
 *   npm run bench
 *   BENCH_SIZES=8,32 BENCH_STRATEGIES=node,naive npm run bench
 *
 * Settings (environment): BENCH_SCALE (10: 22 s jobs take 2.2 s, 50 requests/60 s become
 * 50/6 s; at most 10, as the node's shortest poll interval is 0.1 s), BENCH_SIZES (1,8,32,100),
 * BENCH_STRATEGIES (node,sdk,naive; also node-fixed), BENCH_CONCURRENCY (8), BENCH_JOB_S (22),
 * BENCH_SPREAD (0.2: each job takes 22 s × (1 ± 0.2), uniform), BENCH_RPM (50; 0 = no limit),
 * BENCH_SEED (1), BENCH_IMAGE_KB (512), BENCH_OUT (bench/results), BENCH_CHART (docs/bench.svg, or
 * bench.svg in BENCH_OUT when that is set), BENCH_BINARY_MODE (default: output images stay in the
 * items as base64, n8n's default mode; filesystem: n8n-core's BinaryDataService stores them in a
 * temp dir and items carry a reference; node strategies only).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { fork, spawnSync, execSync } = require('child_process');

const { createSegmindServer, jobTiming } = require('../test/server/segmind-server');
const { lowerBound, serverStats, median } = require('./bench-lib');
const { renderChart } = require('./bench-chart');

const ROOT = path.resolve(__dirname, '..');
const env = (name, fallback) => (process.env[name] !== undefined && process.env[name] !== '' ? process.env[name] : fallback);
const list = (value) => String(value).split(',').map((s) => s.trim()).filter(Boolean);

const SETTINGS = {
	scale: Number(env('BENCH_SCALE', 10)),
	sizes: list(env('BENCH_SIZES', '1,8,32,100')).map(Number),
	strategies: list(env('BENCH_STRATEGIES', 'node,sdk,naive')),
	concurrency: Number(env('BENCH_CONCURRENCY', 8)),
	jobSeconds: Number(env('BENCH_JOB_S', 22)),
	spread: Number(env('BENCH_SPREAD', 0.2)),
	queueShare: 0.05,
	requestsPerMinute: Number(env('BENCH_RPM', 50)),
	seed: Number(env('BENCH_SEED', 1)),
	imageKb: Number(env('BENCH_IMAGE_KB', 512)),
	binaryMode: env('BENCH_BINARY_MODE', 'default'),
};
const OUT_DIR = path.resolve(ROOT, env('BENCH_OUT', 'bench/results'));
// The README's chart, unless the results go elsewhere (then the chart goes with them).
const CHART = path.resolve(ROOT, env('BENCH_CHART', process.env.BENCH_OUT ? path.join(OUT_DIR, 'bench.svg') : 'docs/bench.svg'));
const NODE_FILE = path.join(ROOT, 'dist/nodes/SegmindFaceToMany/SegmindFaceToMany.node.js');
const API_KEY = 'bench-key';

const LABELS = {
	node: '(a) this node, defaults',
	'node-fixed': '(a′) this node, fixed polling',
	sdk: '(b) SDK strategy',
	naive: '(c) naive concurrent',
};
const KNOWN = Object.keys(LABELS);

const LB_FORMULA =
	'LB = max(M, R). M = the drawn job durations, in creation order, list-scheduled on C lanes ' +
	'(C = 1 for the SDK strategy): the exact optimum, since the k-th job created gets the k-th duration. ' +
	'R = (ceil(3N / L) - 1) × W: 3 keyed requests a job at least (submit, status, result), L per fixed window of W.';

function check() {
	const bad = SETTINGS.strategies.filter((s) => !KNOWN.includes(s));
	if (bad.length) throw new Error(`unknown strategy ${bad.join(', ')} (known: ${KNOWN.join(', ')})`);
	if (!['default', 'filesystem'].includes(SETTINGS.binaryMode)) throw new Error('BENCH_BINARY_MODE must be default or filesystem');
	if (!(SETTINGS.scale > 0)) throw new Error('BENCH_SCALE must be a positive number');
	if (SETTINGS.scale > 10 && SETTINGS.strategies.some((s) => s.startsWith('node'))) {
		console.warn(`BENCH_SCALE ${SETTINGS.scale} > 10: the node's poll interval stays at its minimum 0.1 s, slower than the scaled 1 s unit.`);
	}
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
	return {
		coldMs: measureCode(timed('')),
		withN8nLoadedMs: measureCode(timed("require('n8n-workflow');require('zod');")),
		runs,
	};
}

function runWorker(task) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, 'bench-worker.js'), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
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

async function measure(server, strategy, n) {
	const scale = SETTINGS.scale;
	const jobTimes = {
		meanMs: (SETTINGS.jobSeconds * 1000) / scale,
		spread: SETTINGS.spread,
		queueShare: SETTINGS.queueShare,
		seed: SETTINGS.seed,
	};
	const windowMs = 60_000 / scale;
	const limit = SETTINGS.requestsPerMinute;
	server.reset();
	server.configure({
		jobTimes,
		rateLimit: limit > 0 ? { limit, windowMs } : null,
		imageSize: 256,
		imageBytes: SETTINGS.imageKb * 1024,
	});
	const lanes = strategy === 'sdk' ? 1 : SETTINGS.concurrency;
	const worker = await runWorker({
		strategy,
		n,
		url: server.url,
		apiKey: API_KEY,
		scale,
		concurrency: SETTINGS.concurrency,
		imageBytes: SETTINGS.imageKb * 1024,
		binaryMode: SETTINGS.binaryMode,
	});
	const durations = Array.from({ length: n }, (_, k) => {
		const t = jobTiming(jobTimes, k);
		return t.queueMs + t.processingMs;
	});
	const lb = lowerBound({ durations, lanes, limit: limit > 0 ? limit : 0, windowMs });
	const stats = serverStats(server.requests, [...server.jobs.keys()], n);
	const growth = worker.rssPeak - worker.rssBaseline;
	return {
		strategy,
		label: LABELS[strategy],
		n,
		lanes,
		wallS: worker.wallMs / 1000,
		lowerBoundS: lb.lowerBoundMs / 1000,
		makespanBoundS: lb.makespanMs / 1000,
		rateBoundS: lb.rateMs / 1000,
		binding: lb.binding,
		wallOverLb: worker.wallMs / lb.lowerBoundMs,
		...stats,
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
		'| N | strategy | wall (s) | LB (s) | wall ÷ LB | keyed requests/job | status polls/done job | 429s (max in a window) | done / lost | peak RSS growth (MB) | growth ÷ image bytes |',
		'|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const r of rows) {
		lines.push(
			`| ${r.n} | ${r.label} | ${fixed(r.wallS)} | ${fixed(r.lowerBoundS)}${r.binding === 'rate' ? ' ᴿ' : ''} | ${r.lost ? `– (${r.lost} lost)` : fixed(r.wallOverLb)} | ${fixed(r.keyedPerJob, 1)} | ${fixed(r.pollsPerDoneJob, 1)} | ${r.rateLimited} (${r.max429PerWindow}) | ${r.done} / ${r.lost} | ${fixed(r.rssGrowthMb, 1)} | ${fixed(r.growthOverImageBytes, 2)} |`,
		);
	}
	return lines.join('\n');
}

/** The issue's targets, checked on the node's rows (N = 32 at the bench's concurrency; N = 100). */
function targets(rows) {
	const node = (n) => rows.find((r) => r.strategy === 'node' && r.n === n);
	const sdk = (n) => rows.find((r) => r.strategy === 'sdk' && r.n === n && r.pollsPerDoneJob !== null);
	const out = [];
	const add = (target, row, measured, met, note) => out.push({ target, measured, met: row ? met : null, note: row ? note : 'not run' });
	const a32 = node(32);
	add('N=32: wall ≤ 1.15 × LB', a32, a32 && `${fixed(a32.wallOverLb)} × LB`, a32 && a32.wallOverLb <= 1.15);
	const ref = sdk(32) || rows.find((r) => r.strategy === 'sdk' && r.pollsPerDoneJob !== null);
	const sdkPolls = ref ? ref.pollsPerDoneJob : 1 + Math.ceil(SETTINGS.jobSeconds); // the SDK's polls for a 22 s job
	add(
		'N=32: status polls/job ≤ ⅓ of the SDK strategy',
		a32,
		a32 && `${fixed(a32.pollsPerDoneJob, 1)} vs SDK ${fixed(sdkPolls, 1)} (limit ${fixed(sdkPolls / 3, 1)})`,
		a32 && a32.pollsPerDoneJob !== null && a32.pollsPerDoneJob <= sdkPolls / 3,
		ref ? `SDK figure measured at N=${ref.n}` : 'SDK figure computed (not run)',
	);
	if (SETTINGS.requestsPerMinute > 0) {
		add(
			'N=32: at most one 429 per rate-limit window',
			a32,
			a32 && `${a32.rateLimited} in ${a32.windows} windows, at most ${a32.max429PerWindow} in one`,
			a32 && a32.max429PerWindow <= 1,
		);
	} else {
		out.push({ target: 'N=32: at most one 429 per rate-limit window', measured: '', met: null, note: 'no rate limit in this run' });
	}
	add(
		'N=32: peak RSS growth ≤ 3 × total image bytes',
		a32,
		a32 && `${fixed(a32.rssGrowthMb, 1)} MB = ${fixed(a32.growthOverImageBytes)} × ${fixed(a32.imageBytes / 2 ** 20, 1)} MB`,
		a32 && a32.growthOverImageBytes !== null && a32.growthOverImageBytes <= 3,
	);
	const a100 = node(100);
	add('N=100: nothing lost', a100, a100 && `${a100.done} done, ${a100.lost} lost`, a100 && a100.lost === 0);
	return out;
}

function gitCommit() {
	try {
		return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

async function main() {
	check();
	const s = SETTINGS;
	const unit = 1 / s.scale;
	console.log(
		`Scale 1/${s.scale}: jobs ${s.jobSeconds} s × (1 ± ${s.spread}) → ${fixed((s.jobSeconds * (1 - s.spread)) / s.scale)}–${fixed((s.jobSeconds * (1 + s.spread)) / s.scale)} s (seed ${s.seed}, ${s.queueShare * 100}% queued); ` +
			(s.requestsPerMinute > 0 ? `rate limit ${s.requestsPerMinute} keyed requests per ${fixed(60 / s.scale, 1)} s window; ` : 'no rate limit; ') +
			`1 s → ${fixed(unit, 3)} s; concurrency ${s.concurrency}; ${s.imageKb} KB images; binary mode ${s.binaryMode}; Node ${process.version}, ${os.cpus().length} cores.`,
	);
	const load = moduleLoadMs();
	console.log(
		`Node module load time (require of the built node in a fresh process, median of ${load.runs}): ${fixed(load.withN8nLoadedMs, 1)} ms with n8n-workflow already loaded (as in n8n), ${fixed(load.coldMs, 1)} ms cold (n8n-workflow loaded by the node).\n`,
	);

	const server = createSegmindServer({ apiKey: API_KEY, credits: 1e9 });
	await server.start();
	const rows = [];
	const started = Date.now();
	try {
		for (const n of s.sizes) {
			for (const strategy of s.strategies) {
				const row = await measure(server, strategy, n);
				rows.push(row);
				console.log(
					`N=${String(n).padStart(3)} ${row.label.padEnd(30)} wall ${fixed(row.wallS).padStart(7)} s = ${fixed(row.wallOverLb)} × LB, ` +
						`${fixed(row.keyedPerJob, 1)} req/job, ${row.rateLimited} × 429, ${row.done}/${n} done` +
						(row.errors.length ? ` (${row.errors.map((e) => `${e.count}× ${e.message}`).join('; ')})` : ''),
				);
			}
		}
	} finally {
		await server.stop();
	}

	console.log(`\n${table(rows)}\n`);
	console.log(`ᴿ: the rate-limit bound is the larger one. ${LB_FORMULA}`);
	console.log('keyed requests/job: every request with the API key (submit, status, result, 429s included) ÷ N; status polls/done job: status requests per job whose result was collected.\n');
	const goals = targets(rows);
	for (const g of goals) {
		const verdict = g.met === null ? 'n/a   ' : g.met ? 'met   ' : 'MISSED';
		console.log(`${verdict}  ${g.target}: ${g.measured || ''}${g.note ? ` (${g.note})` : ''}`);
	}

	const results = {
		meta: {
			date: new Date().toISOString(),
			commit: gitCommit(),
			node: process.version,
			cpus: os.cpus().length,
			settings: s,
			nodeOptions: {
				maxConcurrency: s.concurrency,
				pollIntervalSeconds: Math.max(0.1, unit),
				pollingMode: 'adaptive',
				continueOnFail: true,
			},
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
