#!/usr/bin/env node
'use strict';
/**
 * Benchmark: this node with its defaults, in n8n's engine, against the local Segmind server
 * emulating Segmind (job times, a fixed-window rate limit on the key, a round-trip latency), on a
 * compressed clock, over the grid of issue 18:
 *   plans 5 / 50 / 120 / 1000 requests a minute × only submits count / every request counts ×
 *   N = 1 / 32 / 300 items × jobs 22 s / 5 s (± 30 %) × round trip 0 / 200 ms × 1 / 3 processes
 *   sharing the key (the queue-mode case: several budgets, one limit; N items each).
 * Each cell is measured against the API's own lower bound (bench-lib.js lowerBound) and against a
 * naive HTTP Request + Wait loop (bench-worker.js `naive`; with 3 processes, 3 loops on the key).
 * Then the extras: peak memory (default and filesystem binary modes), the SDK's strategy, and 32
 * one-item executions at once. Prints tables, writes bench/results/<timestamp>.json and
 * latest.json, and renders docs/bench.svg. See docs/performance.md.
 *
 *   npm run bench                                  # the default slice (48 cells, ~30 min on 2 cores)
 *   BENCH_GRID=full npm run bench                  # all 192 cells (~3-4 h; BENCH_DRY=1 shows the plan)
 *   BENCH_PLANS=50 BENCH_SIZES=32 BENCH_PROCESSES=3 BENCH_EXTRAS=0 npm run bench   # a slice
 *
 * Settings (environment):
 *   grid axes  BENCH_PLANS (5,50,120,1000), BENCH_COUNTS (submits,all), BENCH_SIZES (1,32,300),
 *              BENCH_JOBS (22,5: mean job seconds), BENCH_LATENCIES (0,200: round trip ms),
 *              BENCH_PROCESSES (1,3). Unset axes take the default slice's values (see SLICES),
 *              or the whole grid's with BENCH_GRID=full. BENCH_GRID=none runs no grid cell.
 *   BENCH_STRATEGIES (node,naive), BENCH_EXTRAS (1; 0: none), BENCH_DRY (1: print the plan and
 *   what it will cost, run nothing), BENCH_MERGE (1: add the cells to OUT/latest.json, replacing
 *   cells with the same id, instead of starting afresh: slices add up to the grid).
 *   Clock: BENCH_SCALE (a fixed compression for every run; default: chosen per run, see
 *   bench-lib.js chooseScale), BENCH_MAX_SCALE (100), BENCH_CPU_MS (8: the node's CPU per request
 *   the choice assumes), BENCH_NAIVE_MAX (20000: the naive loop is not run where it would send more).
 *   World: BENCH_SPREAD (0.3: jobs take mean × (1 ± 0.3), uniform), BENCH_SEED (1),
 *   BENCH_JITTER_MS (0: ± this on every round trip), BENCH_IMAGE_KB (64: the grid's images),
 *   BENCH_MEMORY_IMAGE_KB (512: the memory extras' images).
 *   Output: BENCH_OUT (bench/results), BENCH_CHART (docs/bench.svg, or bench.svg in BENCH_OUT
 *   when that is set).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { fork, spawnSync, execSync } = require('child_process');

const { jobTiming } = require('../test/server/segmind-server');
const lib = require('./bench-lib');
const { renderChart, markdownTables } = require('./bench-chart');

const ROOT = path.resolve(__dirname, '..');
const env = (name, fallback) => (process.env[name] !== undefined && process.env[name] !== '' ? process.env[name] : fallback);
const list = (value) => String(value).split(',').map((s) => s.trim()).filter(Boolean);
const numbers = (value) => list(value).map(Number);

/**
 * The default slice (`npm run bench`, 48 cells, about 30 minutes on 2 cores)
 * and the whole grid. The default keeps the world users live in (200 ms round trips) on every
 * plan and limit model at N = 1 and 32 with both job times for one process; for 3 processes,
 * 22 s jobs at N = 32 on every plan and at N = 1 on the Free and Pro plans; and N = 300 where
 * throughput is the question: 1000 a minute (one process when only submits count, three when
 * every request does) and 50 a minute (one process). The other 144 cells (round trip 0, 5 s jobs
 * on 3 processes, N = 300 elsewhere) cost about 3 hours more: BENCH_GRID=full.
 */
const SLICES = {
	default: [
		{ plans: [5, 50, 120, 1000], counts: ['submits', 'all'], sizes: [1, 32], jobs: [22, 5], latencies: [200], processes: [1] },
		{ plans: [5, 50], counts: ['submits', 'all'], sizes: [1], jobs: [22], latencies: [200], processes: [3] },
		{ plans: [5, 50, 120, 1000], counts: ['submits', 'all'], sizes: [32], jobs: [22], latencies: [200], processes: [3] },
		{ plans: [1000], counts: ['submits'], sizes: [300], jobs: [22], latencies: [200], processes: [1] },
		{ plans: [1000], counts: ['all'], sizes: [300], jobs: [22], latencies: [200], processes: [3] },
		{ plans: [50], counts: ['submits', 'all'], sizes: [300], jobs: [22], latencies: [200], processes: [1] },
	],
	full: [lib.GRID],
	none: [],
};

const GRID_ENV = { plans: 'BENCH_PLANS', counts: 'BENCH_COUNTS', sizes: 'BENCH_SIZES', jobs: 'BENCH_JOBS', latencies: 'BENCH_LATENCIES', processes: 'BENCH_PROCESSES' };

function gridPlan() {
	const name = env('BENCH_GRID', 'default');
	if (!SLICES[name]) throw new Error(`BENCH_GRID must be one of ${Object.keys(SLICES).join(', ')}`);
	const overridden = Object.entries(GRID_ENV).filter(([, v]) => process.env[v]);
	const slices = overridden.length
		? [Object.fromEntries(Object.entries(GRID_ENV).map(([axis, v]) => [axis, process.env[v] ? (axis === 'counts' ? list(process.env[v]) : numbers(process.env[v])) : lib.GRID[axis]]))]
		: SLICES[name];
	const seen = new Set();
	return slices.flatMap((axes) => lib.gridCells(axes)).filter((c) => !seen.has(c.id) && seen.add(c.id));
}

const SETTINGS = {
	grid: env('BENCH_GRID', 'default'),
	strategies: list(env('BENCH_STRATEGIES', 'node,naive')),
	extras: env('BENCH_EXTRAS', '1') !== '0',
	dry: env('BENCH_DRY', '0') === '1',
	merge: env('BENCH_MERGE', '0') === '1',
	fixedScale: process.env.BENCH_SCALE ? Number(process.env.BENCH_SCALE) : undefined,
	maxScale: Number(env('BENCH_MAX_SCALE', 100)),
	nodeCpuMs: Number(env('BENCH_CPU_MS', 8)),
	naiveMaxRequests: Number(env('BENCH_NAIVE_MAX', 20_000)),
	spread: Number(env('BENCH_SPREAD', 0.3)),
	queueShare: 0.05,
	windowSeconds: 60,
	seed: Number(env('BENCH_SEED', 1)),
	jitterMs: Number(env('BENCH_JITTER_MS', 0)),
	imageKb: Number(env('BENCH_IMAGE_KB', 64)),
	memoryImageKb: Number(env('BENCH_MEMORY_IMAGE_KB', 512)),
	cores: os.cpus().length,
};
const OUT_DIR = path.resolve(ROOT, env('BENCH_OUT', 'bench/results'));
// The docs' chart, unless the results go elsewhere (then the chart goes with them).
const CHART = path.resolve(ROOT, env('BENCH_CHART', process.env.BENCH_OUT ? path.join(OUT_DIR, 'bench.svg') : 'docs/bench.svg'));
const NODE_FILE = path.join(ROOT, 'dist/nodes/SegmindFaceToMany/SegmindFaceToMany.node.js');
const API_KEY = 'bench-key';
const WINDOW_MS = SETTINGS.windowSeconds * 1000;

const LB_FORMULA =
	'LB = max(J, R). J = max over k of (floor(k / L) × W + d_k) + 3 × RTT: the k-th job created cannot be created before window floor(k / L) ' +
	'(no limit: 0), takes its drawn duration d_k (the server gives the k-th job created the k-th duration, whoever submits it), and three round trips ' +
	'follow the last job (the status check that sees it done, the result, the download). R (every request counts) = (ceil(3N / L) − 1) × W + 2 × RTT: ' +
	'at least 3 counted requests a job (submit, one status check, the result), then the last answer and the download. L = limit per window, ' +
	'W = window (60 s), N = jobs on the key (all processes). All jobs in flight at once; no client setting enters it.';

function check() {
	const bad = SETTINGS.strategies.filter((s) => !['node', 'naive'].includes(s));
	if (bad.length) throw new Error(`unknown strategy ${bad.join(', ')} (grid: node, naive)`);
	if (SETTINGS.fixedScale !== undefined && !(SETTINGS.fixedScale >= 1)) throw new Error('BENCH_SCALE must be 1 or more');
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
		return lib.median(times);
	};
	return { coldMs: measureCode(timed('')), withN8nLoadedMs: measureCode(timed("require('n8n-workflow');require('zod');")), runs };
}

// ---------------------------------------------------------------- running processes

/** A forked bench-worker.js process on the run's shared compressed clock. */
function spawnWorker(clock, task) {
	const child = fork(path.join(__dirname, 'bench-worker.js'), [], {
		execArgv: ['--expose-gc'],
		stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
		env: { ...process.env, BENCH_TIME_SCALE: String(clock.scale), BENCH_CLOCK_T0: String(clock.t0), BENCH_CLOCK_V0: String(clock.v0) },
	});
	const waiting = new Map();
	let exited = null;
	child.on('message', (message) => {
		const w = waiting.get(message.type);
		if (w) {
			waiting.delete(message.type);
			w.resolve(message);
		}
	});
	child.once('exit', (code, signal) => {
		exited = { code, signal };
		for (const w of waiting.values()) w.reject(new Error(`bench worker (${task.role}) exited with ${signal || code}`));
		waiting.clear();
	});
	const expect = (type) =>
		new Promise((resolve, reject) => {
			if (exited) return reject(new Error(`bench worker (${task.role}) exited with ${exited.signal || exited.code}`));
			waiting.set(type, { resolve, reject });
		});
	const ready = expect('ready');
	const result = expect('result').then((m) => {
		if (!m.ok) throw new Error(m.error);
		return m.result;
	});
	ready.catch(() => undefined);
	result.catch(() => undefined);
	child.send({ type: 'start', task });
	return {
		ready,
		result,
		send: (type) => !exited && child.send({ type }),
		kill: () => !exited && child.kill('SIGKILL'),
	};
}

/**
 * One measured run: a server process and `processes` clients of `role`, each with `n` items
 * (`executions` workflow executions each), all on one compressed clock. Resolves with the
 * summary (bench-lib.js summarise) plus the raw reports.
 */
async function runOnce({ role, n, processes = 1, executions = 1, scale, server, binaryMode = 'default', guardS }) {
	const clock = { scale, t0: performance.timeOrigin + performance.now(), v0: Date.now() };
	const started = Date.now();
	const srv = spawnWorker(clock, { role: 'server', apiKey: API_KEY, n: n * processes, server });
	const all = [srv];
	let guard;
	try {
		const { url, warmUrl } = await srv.ready;
		const clients = Array.from({ length: processes }, (_, i) => spawnWorker(clock, { role, n, executions, apiKey: API_KEY, url, warmUrl, client: `p${i + 1}`, binaryMode }));
		all.push(...clients);
		await Promise.all(clients.map((c) => c.ready));
		const timedOut = new Promise((_, reject) => {
			guard = setTimeout(() => reject(new Error(`guard: no result after ${Math.round(guardS)} s (real)`)), guardS * 1000);
		});
		clients.forEach((c) => c.send('go'));
		const runs = await Promise.race([Promise.all(clients.map((c) => c.result)), timedOut]);
		srv.send('stop');
		const seen = await Promise.race([srv.result, timedOut]);
		return { runs, server: seen, realS: (Date.now() - started) / 1000 };
	} finally {
		clearTimeout(guard);
		for (const p of all) p.kill();
	}
}

const serverConfig = ({ jobS, plan, counts, latencyMs = 0, imageKb }) => ({
	jobTimes: { meanMs: jobS * 1000, spread: SETTINGS.spread, queueShare: SETTINGS.queueShare, seed: SETTINGS.seed },
	rateLimit: plan > 0 ? { limit: plan, windowMs: WINDOW_MS, counts } : null,
	latencyMs,
	latencyJitterMs: latencyMs > 0 ? SETTINGS.jitterMs : 0,
	imageSize: 256,
	imageBytes: imageKb * 1024,
});

const durationsOf = (jobS, count) =>
	Array.from({ length: count }, (_, k) => {
		const t = jobTiming({ meanMs: jobS * 1000, spread: SETTINGS.spread, queueShare: SETTINGS.queueShare, seed: SETTINGS.seed }, k);
		return t.queueMs + t.processingMs;
	});

function planOf(cell) {
	return lib.planCell(cell, durationsOf(cell.jobS, cell.n * cell.processes), {
		windowMs: WINDOW_MS,
		cores: SETTINGS.cores,
		nodeCpuMs: SETTINGS.nodeCpuMs,
		naiveMaxRequests: SETTINGS.naiveMaxRequests,
		fixedScale: SETTINGS.fixedScale,
		scaleOptions: { maxScale: SETTINGS.maxScale },
	});
}

// ---------------------------------------------------------------- the grid

async function measureCell(cell) {
	const plan = planOf(cell);
	const server = serverConfig({ ...cell, imageKb: SETTINGS.imageKb });
	const row = { id: cell.id, cell, lowerBoundS: plan.lb.lowerBoundMs / 1000, binding: plan.lb.binding, estimatedRealS: plan.estimatedRealS };
	const measure = async (role, scale) => {
		const guardS = Math.max(180, 4 * ((1.5 * plan.lb.lowerBoundMs) / 1000 / scale) + 60);
		try {
			const { runs, server: seen, realS } = await runOnce({ role, n: cell.n, processes: cell.processes, scale, server, guardS });
			const summary = lib.summarise({ runs, server: seen, lb: plan.lb });
			// The node's pause log is how the bench sees its limit changes: say so when it could not be read.
			if (role === 'node' && runs.some((r) => !r.pauses.length && (seen.perClient[r.client] || {}).rateLimited)) {
				summary.pauseLogUnread = true;
				console.warn(`${cell.id}: 429s but no pause log line read (has the node's wording changed? see bench-lib.js parsePauseLine)`);
			}
			const cpuS = (runs.reduce((s, r) => s + r.cpuMs, 0) + seen.cpuMs) / 1000;
			return { ...summary, scale, realS, cpuS, cpuOverWall: (cpuS * scale) / summary.wallS, timeline: seen.timeline };
		} catch (error) {
			return { failed: String(error.message).split('\n')[0], scale };
		}
	};
	if (SETTINGS.strategies.includes('node')) row.node = await measure('node', plan.node.scale);
	if (row.node) row.node.scaleReason = plan.node.reason;
	if (SETTINGS.strategies.includes('naive')) {
		row.naive = plan.naive.run ? { ...(await measure('naive', plan.naive.scale)), scaleReason: plan.naive.reason } : { skipped: plan.naive.why };
	}
	if (row.node && !row.node.failed) row.targets = lib.cellTargets({ node: row.node, naive: row.naive && !row.naive.skipped && !row.naive.failed ? row.naive : null, lb: plan.lb });
	return row;
}

const fixed = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d));

function cellLine(row) {
	const n = row.node;
	const nv = row.naive;
	const node = !n ? '' : n.failed ? `node FAILED (${n.failed})` : `node ${fixed(n.wallS, 1)} s = ${fixed(n.wallOverLb)} × LB, ${fixed(n.requestsPerJob, 1)} req/job, ${n.rateLimited} × 429 (≤ ${fixed(n.max429PerChange, 1)}/process/change), ${n.done}/${n.n} done${n.lostToTimeout ? ` (${n.lostToTimeout} timed out)` : ''}${n.unhandledRejections ? `, ${n.unhandledRejections} unhandled rejections` : ''} [×${n.scale} ${n.scaleReason}, ${fixed(n.realS, 0)} s real, CPU×scale ${fixed(n.cpuOverWall)} of wall]`;
	const naive = !nv ? '' : nv.skipped ? `naive not run: ${nv.skipped}` : nv.failed ? `naive FAILED (${nv.failed})` : `naive ${fixed(nv.wallS, 1)} s${nv.lost ? ` (${nv.lost} lost)` : ''}`;
	const t = row.targets;
	const marks = t ? ['wall', 'per429', 'requests', 'noTimeoutLoss', 'handled'].map((k) => (t[k].met ? '✓' : '✗')).join('') : '';
	return `${row.id.padEnd(48)} LB ${fixed(row.lowerBoundS, 1).padStart(7)} s  ${marks}  ${node}; ${naive}`;
}

// ---------------------------------------------------------------- the extras

/** Peak memory, the SDK's requests a job and the burst of one-item executions (clock ×10, jobs 22 s). */
const EXTRAS = [
	...[1, 32, 300].map((n) => ({ id: `memory N=${n}`, role: 'node', n, plan: 0, binaryMode: 'default' })),
	...[100, 300].map((n) => ({ id: `memory N=${n} filesystem`, role: 'node', n, plan: 0, binaryMode: 'filesystem' })),
	...[1, 8].map((n) => ({ id: `sdk N=${n}`, role: 'sdk', n, plan: 0 })),
	...['submits', 'all'].map((counts) => ({ id: `burst 32×1 50/min ${counts}`, role: 'node', n: 32, executions: 32, plan: 50, counts })),
];

async function measureExtra(extra) {
	const scale = SETTINGS.fixedScale || 10;
	const durations = durationsOf(22, extra.n);
	const lb = lib.lowerBound({ durations, limit: extra.plan, windowMs: WINDOW_MS, counts: extra.counts });
	const server = serverConfig({ jobS: 22, plan: extra.plan, counts: extra.counts, imageKb: SETTINGS.memoryImageKb });
	try {
		const { runs, server: seen, realS } = await runOnce({ role: extra.role, n: extra.n, executions: extra.executions || 1, scale, server, binaryMode: extra.binaryMode, guardS: 600 });
		const run = runs[0];
		const growth = run.rssPeak - run.rssBaseline;
		return {
			...extra,
			scale,
			realS,
			lowerBoundS: lb.lowerBoundMs / 1000,
			...lib.summarise({ runs, server: seen, lb }),
			rssGrowthMb: growth / 2 ** 20,
			imageMb: run.imageBytes / 2 ** 20,
			growthOverImageBytes: run.imageBytes ? growth / run.imageBytes : null,
			binaryIds: run.binaryIds,
		};
	} catch (error) {
		return { ...extra, failed: String(error.message).split('\n')[0] };
	}
}

// ---------------------------------------------------------------- main

function gitCommit() {
	try {
		return execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return null;
	}
}

function printPlan(cells) {
	let total = 0;
	for (const cell of cells) {
		const p = planOf(cell);
		total += p.estimatedRealS;
		console.log(
			`${cell.id.padEnd(48)} LB ${fixed(p.lb.lowerBoundMs / 1000, 0).padStart(6)} s  node ×${p.node.scale} (${p.node.reason})  ` +
				`naive ${p.naive.run ? `×${p.naive.scale} (${p.naive.reason}), ~${p.naive.requests} requests` : `not run: ${p.naive.why}`}  ~${fixed(p.estimatedRealS / 60, 1)} min`,
		);
	}
	console.log(`\n${cells.length} cells, about ${fixed(total / 60, 0)} min${SETTINGS.extras ? ' + ~4 min of extras' : ''} on this machine's estimate.`);
}

async function main() {
	check();
	const cells = gridPlan();
	if (SETTINGS.dry) return printPlan(cells);
	const s = SETTINGS;
	console.log(
		`Grid "${s.grid}": ${cells.length} cells. Jobs mean × (1 ± ${s.spread}) (seed ${s.seed}, ${s.queueShare * 100}% queued); ${s.windowSeconds} s windows; ` +
			`${s.imageKb} KB images; node: defaults; clock chosen per run; Node ${process.version}, ${s.cores} cores.`,
	);
	const load = moduleLoadMs();
	console.log(`Node module load time (median of ${load.runs}): ${fixed(load.withN8nLoadedMs, 1)} ms with n8n-workflow loaded (as in n8n), ${fixed(load.coldMs, 1)} ms cold.\n`);

	const started = Date.now();
	const rows = [];
	for (const cell of cells) {
		const row = await measureCell(cell);
		rows.push(row);
		console.log(cellLine(row));
	}
	const extras = [];
	if (s.extras) {
		for (const extra of EXTRAS) {
			const row = await measureExtra(extra);
			extras.push(row);
			console.log(
				`${row.id.padEnd(48)} ${row.failed ? `FAILED (${row.failed})` : `wall ${fixed(row.wallS, 1)} s = ${fixed(row.wallOverLb)} × LB, ${fixed(row.requestsPerJob, 1)} req/job, ${row.rateLimited} × 429, ${row.done}/${row.n} done, RSS +${fixed(row.rssGrowthMb, 1)} MB (${fixed(row.growthOverImageBytes)} × image bytes)`}`,
			);
		}
	}

	const latest = path.join(OUT_DIR, 'latest.json');
	const previous = s.merge && fs.existsSync(latest) ? JSON.parse(fs.readFileSync(latest, 'utf8')) : null;
	const ids = new Set(rows.map((r) => r.id));
	const mergedRows = previous ? [...previous.cells.filter((r) => !ids.has(r.id)), ...rows] : rows;
	// Targets from today's definitions for every cell, merged ones included.
	for (const row of mergedRows) {
		if (!row.node || row.node.failed) continue;
		const naive = row.naive && !row.naive.skipped && !row.naive.failed ? row.naive : null;
		row.targets = lib.cellTargets({ node: row.node, naive, lb: { lowerBoundMs: row.lowerBoundS * 1000 } });
	}
	const order = new Map(lib.gridCells().map((c, i) => [c.id, i]));
	mergedRows.sort((a, b) => (order.get(a.id) ?? 1e9) - (order.get(b.id) ?? 1e9));
	const results = {
		meta: {
			date: new Date().toISOString(),
			commit: gitCommit(),
			node: process.version,
			cpus: s.cores,
			settings: s,
			nodeOptions: 'defaults (Continue On Fail on, to count lost items)',
			moduleLoad: load,
			lowerBound: LB_FORMULA,
			targets: lib.TARGETS,
			durationS: (Date.now() - started) / 1000 + (previous ? previous.meta.durationS || 0 : 0),
			runs: [...(previous ? previous.meta.runs || [] : []), { date: new Date().toISOString(), commit: gitCommit(), grid: s.grid, cells: rows.length, durationS: (Date.now() - started) / 1000 }],
			command: 'npm run bench',
		},
		cells: mergedRows,
		extras: extras.length || !previous ? extras : previous.extras,
		summary: lib.targetSummary(mergedRows),
	};

	console.log(`\n${markdownTables(results)}\n`);
	console.log(`LB: ${LB_FORMULA}\n`);
	for (const [key, t] of Object.entries(results.summary)) console.log(`${key.padEnd(14)} met in ${t.met} of ${t.cells} cells${t.missed.length ? `; missed: ${t.missed.join('; ')}` : ''}`);

	fs.mkdirSync(OUT_DIR, { recursive: true });
	const stamp = results.meta.date.replace(/[:.]/g, '-');
	const file = path.join(OUT_DIR, `${stamp}.json`);
	fs.writeFileSync(file, `${JSON.stringify(results, null, '\t')}\n`);
	fs.writeFileSync(latest, `${JSON.stringify(results, null, '\t')}\n`);
	fs.mkdirSync(path.dirname(CHART), { recursive: true });
	fs.writeFileSync(CHART, renderChart(results));
	console.log(`\nWrote ${path.relative(ROOT, file)}, ${path.relative(ROOT, latest)} and ${path.relative(ROOT, CHART)} (${fixed((Date.now() - started) / 60000, 1)} min).`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
