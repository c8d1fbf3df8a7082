'use strict';
/**
 * Pure helpers of the benchmark (scripts/bench.js): the grid of cases, the lower bound on wall
 * time, the clock compression chosen per case, the figures read from the local server's request
 * log and the node's pause log, and the targets. No I/O, so test/unit/scripts can check them.
 */

const MINUTE_MS = 60_000;

/** The node's default Timeout (s): an item may take this long from its first request. */
const NODE_TIMEOUT_S = 600;

/** The naive loop's deadline per job (s): like the SDK's default; it gives up after it. */
const NAIVE_DEADLINE_S = 600;

/** The targets (issue 18), with the node's defaults. */
const TARGETS = {
	/** wall ≤ this × the API's lower bound, or ≤ this × the naive loop where that succeeds. */
	wallFactor: 1.15,
	/** 429s per process per change of its share of the limit. */
	per429Change: 1,
	/** keyed requests (429s included) per job. */
	requestsPerJob: 4,
};

/** The grid of the issue: every combination of these axes is a cell. */
const GRID = {
	plans: [5, 50, 120, 1000],
	counts: ['submits', 'all'],
	sizes: [1, 32, 300],
	jobs: [22, 5],
	latencies: [0, 200],
	processes: [1, 3],
};

/**
 * The least wall time the API itself allows for jobs with these `durations` (ms, in the order
 * the server creates them: the local server gives the k-th job created the k-th drawn duration,
 * whoever submits it), all in flight at once, under a fixed-window rate limit of `limit` counted
 * requests per `windowMs` (windows start when the first counted request arrives), with every
 * answer taking one round trip `latencyMs`:
 *   - jobs: job k cannot be created before window floor(k / L) when submits count (both limit
 *     models), then takes d_k; after the last job ends, three round trips no client can avoid
 *     (the status check that sees it done, the result, the image download):
 *     J = max over k of (floor(k / L) × W + d_k) + 3 × RTT (no limit: max d_k + 3 × RTT);
 *   - rate ('all' model only): at least 3 counted requests a job (submit, one status check, the
 *     result), the last in window ceil(3N / L), then its answer and the download:
 *     R = (ceil(3N / L) − 1) × W + 2 × RTT.
 * LB = max(J, R). No client setting enters it: it is what Segmind allows, not what the node does.
 */
function lowerBound({ durations, limit = 0, windowMs = MINUTE_MS, counts = 'all', perJob = 3, latencyMs = 0 }) {
	const n = durations.length;
	const start = (k) => (limit > 0 ? Math.floor(k / limit) * windowMs : 0);
	const jobsMs = n ? Math.max(...durations.map((d, k) => start(k) + d)) + 3 * latencyMs : 0;
	const windows = limit > 0 && counts === 'all' && n > 0 ? Math.ceil((perJob * n) / limit) - 1 : 0;
	const rateMs = windows > 0 ? windows * windowMs + 2 * latencyMs : 0;
	return { lowerBoundMs: Math.max(jobsMs, rateMs), jobsMs, rateMs, binding: rateMs > jobsMs ? 'rate' : 'jobs' };
}

/** Every cell of a grid (axes as in GRID), in a stable order: cheap plans and sizes first. */
function gridCells(axes = GRID) {
	const cells = [];
	for (const processes of axes.processes)
		for (const plan of [...axes.plans].sort((a, b) => b - a))
			for (const counts of axes.counts)
				for (const n of axes.sizes)
					for (const jobS of axes.jobs)
						for (const latencyMs of axes.latencies) cells.push(cell({ plan, counts, n, jobS, latencyMs, processes }));
	return cells;
}

function cell(axes) {
	const { plan, counts, n, jobS, latencyMs, processes } = axes;
	return { id: `${plan}/min ${counts} N=${n} jobs=${jobS}s rtt=${latencyMs}ms P=${processes}`, ...axes };
}

/** Ladder of clock compressions a cell may run at. */
const SCALES = [1, 2, 5, 10, 20, 50, 100];
const atMost = (limit) => [...SCALES].reverse().find((s) => s <= limit) ?? 1;
const atLeast = (limit) => SCALES.find((s) => s >= limit) ?? SCALES[SCALES.length - 1];

/**
 * The clock compression for one run: ×10 normally; more for long runs (so a run takes about
 * `longRealS` real seconds), less where what does not compress would distort it. CPU work and
 * Node's 1 ms timer grain count `scale` times in the figures:
 *   - `criticalRealMs`: the real CPU (and timer) time on the run's critical path; keep it under
 *     `cpuShare` of the bound once compressed;
 *   - `loadPerS`: real CPU ms a virtual second asks for (a loop that polls every second); keep
 *     the compressed load under `loadShare` of a core (the naive loop's 1 s rhythm is coarse);
 *   - a round trip must last at least 2 real ms (one timer each way);
 * never above `maxScale`.
 */
function chooseScale(
	{ lowerBoundMs, criticalRealMs = 0, loadPerS = 0, latencyMs = 0 },
	{ base = 10, maxScale = 100, longRealS = 60, cpuShare = 0.05, loadShare = 1 } = {},
) {
	let scale = base;
	let reason = 'normal';
	const cap = (limit, why) => {
		if (scale > limit) [scale, reason] = [atMost(limit), why];
	};
	const long = atLeast(lowerBoundMs / (longRealS * 1000));
	if (long > scale) [scale, reason] = [long, 'long'];
	cap(maxScale, 'max');
	if (latencyMs > 0) cap(latencyMs / 2, 'latency');
	if (criticalRealMs > 0) cap((cpuShare * lowerBoundMs) / criticalRealMs, 'cpu');
	if (loadPerS > 0) cap((loadShare * 1000) / loadPerS, 'load');
	return { scale, reason };
}

/** When job k can be created at the earliest (submits are limited in both models). */
const creationMs = (k, plan, windowMs) => Math.floor(k / plan) * windowMs;

/**
 * What one cell costs, before it runs: its lower bound, the requests each strategy is expected
 * to send, the clock compression of each run and whether the naive loop is run at all (it can
 * succeed only when the bound fits in its 600 s deadline, and it is left out when it would send
 * more than `naiveMaxRequests`: a 1 s retry loop against a small plan).
 *
 * The node's critical path is taken as the busiest window's requests (the plan's limit, 3 a job
 * when only submits count), sent back to back at `nodeCpuMs` each (plus 1 ms of timer grain with
 * a round trip), spread over the processes' cores.
 */
function planCell(c, durations, opts = {}) {
	const {
		windowMs = MINUTE_MS,
		cores = 2,
		nodeCpuMs = 8,
		naiveCpuMs = 2.5,
		naiveMaxRequests = 20_000,
		startupRealS = { node: 4, naive: 1 },
		scaleOptions = {},
		fixedScale,
	} = opts;
	const total = c.n * c.processes;
	const lb = lowerBound({ durations, limit: c.plan, windowMs, counts: c.counts, latencyMs: c.latencyMs });
	const parallel = Math.min(c.processes, cores);
	const nodeRequests = 4 * total;
	const critical = Math.min(nodeRequests, 3 * c.plan);
	const grain = c.latencyMs > 0 ? 1 : 0;
	const node = fixedScale
		? { scale: fixedScale, reason: 'fixed' }
		: chooseScale({ lowerBoundMs: lb.lowerBoundMs, criticalRealMs: (critical * (nodeCpuMs + grain)) / parallel, latencyMs: c.latencyMs }, scaleOptions);
	// The naive loop sends a request a second per job until the job is collected (a 429 is retried after 1 s too).
	const doneAt = durations.map((d, k) => (c.counts === 'all' ? Math.max(lb.lowerBoundMs, d) : creationMs(k, c.plan, windowMs) + d));
	const naiveRequests = Math.round(doneAt.reduce((sum, t) => sum + Math.min(NAIVE_DEADLINE_S * 1000, t) / 1000 + 3, 0));
	let naive;
	if (lb.lowerBoundMs > NAIVE_DEADLINE_S * 1000) {
		naive = { run: false, why: `bound ${Math.round(lb.lowerBoundMs / 1000)} s > its ${NAIVE_DEADLINE_S} s deadline: it cannot succeed` };
	} else if (naiveRequests > naiveMaxRequests) {
		naive = { run: false, why: `~${naiveRequests} requests (over ${naiveMaxRequests})` };
	} else {
		const s = fixedScale
			? { scale: fixedScale, reason: 'fixed' }
			: chooseScale({ lowerBoundMs: lb.lowerBoundMs, loadPerS: (total * (naiveCpuMs + grain)) / parallel, latencyMs: c.latencyMs }, scaleOptions);
		naive = { run: true, requests: naiveRequests, ...s };
	}
	const realS = (scale, role) => (1.3 * lb.lowerBoundMs) / 1000 / scale + startupRealS[role];
	return { lb, nodeRequests, node, naive, estimatedRealS: realS(node.scale, 'node') + (naive.run ? realS(naive.scale, 'naive') : 0) };
}

/** The request id in a v2 status or result path (/v2/requests/<id>[/status]). */
function requestIdOf(path) {
	return path.split('/')[3];
}

/**
 * What the server saw during one run: requests that carried the API key, status polls per
 * completed job, 429s (in total and per rate-limit window), and jobs created but never collected.
 */
function serverStats(requests, jobIds, n) {
	const keyed = requests.filter((r) => r.hasApiKey);
	const limited = keyed.filter((r) => r.rateLimited);
	const collected = new Set(
		keyed.filter((r) => r.route === 'result' && !r.rateLimited).map((r) => requestIdOf(r.path)),
	);
	const pollsById = new Map();
	for (const r of keyed) {
		if (r.route !== 'status') continue;
		const id = requestIdOf(r.path);
		pollsById.set(id, (pollsById.get(id) || 0) + 1);
	}
	const done = [...collected].filter((id) => jobIds.includes(id));
	const pollsOfDone = done.reduce((sum, id) => sum + (pollsById.get(id) || 0), 0);
	const perWindow = new Map();
	for (const r of limited) perWindow.set(r.window, (perWindow.get(r.window) || 0) + 1);
	const counted = keyed.filter((r) => r.window !== undefined);
	const windows = counted.length ? Math.max(...counted.map((r) => r.window)) + 1 : 0;
	const count = (route) => keyed.filter((r) => r.route === route).length;
	return {
		keyedRequests: keyed.length,
		keyedPerJob: keyed.length / n,
		submitRequests: count('submit'),
		statusRequests: count('status'),
		resultRequests: count('result'),
		statusPerJob: count('status') / n,
		/** Status polls per job whose result was collected (the figure comparable across strategies). */
		pollsPerDoneJob: done.length ? pollsOfDone / done.length : null,
		rateLimited: limited.length,
		max429PerWindow: Math.max(0, ...perWindow.values()),
		windowsWithMoreThanOne429: [...perWindow.values()].filter((c) => c > 1).length,
		windows,
		jobsCreated: jobIds.length,
		jobsNotCollected: jobIds.filter((id) => !collected.has(id)).length,
	};
}

/** Keyed requests and 429s per client tag (each bench process has its own, see the server's bench region). */
function perClient(requests) {
	const out = {};
	for (const r of requests) {
		if (!r.hasApiKey) continue;
		const c = (out[r.client || '-'] ??= { keyed: 0, rateLimited: 0, submits: 0 });
		c.keyed++;
		if (r.rateLimited) c.rateLimited++;
		else if (r.route === 'submit') c.submits++;
	}
	return out;
}

/**
 * The node's pause log lines ("Segmind rate limit (429): all items of "…" pause for 4.2 s; from
 * now on at most 50 requests per 60 s window") → { pauseMs, limit, windowMs }.
 */
function parsePauseLine(line) {
	const m = /Segmind rate limit \(429\):.*? pause for ([\d.]+) s(?:; from now on at most (\d+) requests per (?:([\d.]+) s )?window)?/.exec(line);
	if (!m) return null;
	return { pauseMs: Number(m[1]) * 1000, limit: m[2] === undefined ? undefined : Number(m[2]), windowMs: m[3] === undefined ? undefined : Number(m[3]) * 1000 };
}

/** The limits a process logged, in order, and how often the limit changed (the first one learned counts). */
function limitChanges(pauses) {
	const limits = pauses.map((p) => p.limit).filter((l) => l !== undefined);
	let changes = 0;
	limits.forEach((l, i) => {
		if (i === 0 || l !== limits[i - 1]) changes++;
	});
	return { limits, changes };
}

/**
 * How often a process's share of the limit changed: once at its start (it does not know the
 * limit) and each time another process on the key ended while it still ran (all start together).
 * This is the bench's definition of "a change of the limit"; it does not depend on what the node
 * logs (a node could log a new limit at every 429).
 */
function shareChanges(endsMs, index) {
	return 1 + endsMs.filter((end, j) => j !== index && end < endsMs[index]).length;
}

/** Errors that mean the item's Timeout ran out (the node's own texts). */
const TIMEOUT_TEXT = /did not finish within|item's Timeout/;

/**
 * One strategy's figures in a cell, from the processes' reports (`runs`: startAt, endAt, done, n,
 * errors, pauses) and the server's (`server`: overall stats, per client, billed).
 */
function summarise({ runs, server, lb }) {
	const start = Math.min(...runs.map((r) => r.startAt));
	const ends = runs.map((r) => r.endAt - start);
	const wallMs = Math.max(...ends);
	const n = runs.reduce((s, r) => s + r.n, 0);
	const done = runs.reduce((s, r) => s + r.done, 0);
	const errors = runs.flatMap((r) => r.errors);
	const processes = runs.map((r, i) => {
		const c = server.perClient[r.client] || { keyed: 0, rateLimited: 0, submits: 0 };
		const logged = limitChanges(r.pauses || []);
		const share = shareChanges(ends, i);
		return {
			client: r.client,
			wallS: ends[i] / 1000,
			keyed: c.keyed,
			rateLimited: c.rateLimited,
			loggedLimits: logged.limits,
			loggedChanges: logged.changes,
			shareChanges: share,
			per429Change: c.rateLimited / share,
			cpuS: r.cpuMs / 1000,
		};
	});
	const unhandled = runs.flatMap((r) => r.unhandledRejections || []);
	return {
		wallS: wallMs / 1000,
		wallOverLb: wallMs / lb.lowerBoundMs,
		n,
		done,
		lost: n - done,
		lostToTimeout: errors.filter((e) => TIMEOUT_TEXT.test(e)).length,
		billed: server.billed,
		billedNotDelivered: Math.max(0, server.billed - done),
		requestsPerJob: server.stats.keyedRequests / n,
		pollsPerDoneJob: server.stats.pollsPerDoneJob,
		rateLimited: server.stats.rateLimited,
		max429PerWindow: server.stats.max429PerWindow,
		max429PerChange: Math.max(0, ...processes.map((p) => p.per429Change)),
		processes,
		errors: countErrors(errors),
		/** Promises that rejected with nobody listening (n8n logs them): each is a race whose loser was not handled. */
		unhandledRejections: unhandled.length,
		unhandledExamples: countErrors(unhandled).slice(0, 3),
	};
}

function countErrors(errors) {
	const counts = new Map();
	for (const e of errors) counts.set(e, (counts.get(e) || 0) + 1);
	return [...counts].map(([message, count]) => ({ message: message.slice(0, 200), count }));
}

/** The targets for one cell's node run (`naive`: the naive loop's summary, if it ran). */
function cellTargets({ node, naive, lb, timeoutS = NODE_TIMEOUT_S }) {
	const naiveOk = !!naive && naive.lost === 0;
	const f = TARGETS.wallFactor;
	const wallMet = node.lost === 0 && (node.wallOverLb <= f || (naiveOk && node.wallS <= f * naive.wallS));
	const fits = lb.lowerBoundMs <= timeoutS * 1000;
	return {
		wall: { met: wallMet, yardstick: node.wallOverLb <= f ? 'bound' : naiveOk && node.wallS <= f * naive.wallS ? 'naive' : null },
		per429: { met: node.max429PerChange <= TARGETS.per429Change },
		requests: { met: node.requestsPerJob <= TARGETS.requestsPerJob },
		noTimeoutLoss: { met: !fits || node.lost === 0, applies: fits },
		handled: { met: !node.unhandledRejections },
	};
}

/** Counts of met targets over rows (each with `targets`), and the ids of the rows that missed each. */
function targetSummary(rows) {
	const out = {};
	for (const key of ['wall', 'per429', 'requests', 'noTimeoutLoss', 'handled']) {
		const applicable = rows.filter((r) => r.targets && r.targets[key] && (key !== 'noTimeoutLoss' || r.targets[key].applies));
		const missed = applicable.filter((r) => !r.targets[key].met).map((r) => r.id);
		out[key] = { cells: applicable.length, met: applicable.length - missed.length, missed };
	}
	return out;
}

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

module.exports = {
	GRID,
	TARGETS,
	NODE_TIMEOUT_S,
	NAIVE_DEADLINE_S,
	lowerBound,
	gridCells,
	chooseScale,
	planCell,
	serverStats,
	perClient,
	parsePauseLine,
	limitChanges,
	shareChanges,
	summarise,
	cellTargets,
	targetSummary,
	requestIdOf,
	median,
};
