'use strict';
/**
 * Pure helpers of the benchmark (scripts/bench.js): the lower bound on wall time and the
 * figures read from the local server's request log. No I/O, so test/unit can check them.
 */

/**
 * Makespan of `durations` (ms, in the order the jobs are created) on `lanes` parallel lanes,
 * each job starting as soon as a lane is free. The local server gives the k-th job it creates
 * the k-th drawn duration whoever submits it, so no client that keeps at most `lanes` jobs in
 * flight can finish sooner: this is the exact optimum, not an estimate.
 */
function listScheduleMs(durations, lanes) {
	const free = new Array(Math.max(1, Math.min(lanes, durations.length || 1))).fill(0);
	for (const d of durations) {
		let lane = 0;
		for (let i = 1; i < free.length; i++) if (free[i] < free[lane]) lane = i;
		free[lane] += d;
	}
	return Math.max(0, ...free);
}

/**
 * Least time for `requests` rate-limited requests at `limit` per fixed window of `windowMs`
 * (windows start at the first request): the last one falls in window ceil(requests/limit).
 */
function rateBoundMs(requests, limit, windowMs) {
	if (!limit || requests <= 0) return 0;
	return (Math.ceil(requests / limit) - 1) * windowMs;
}

/**
 * LB = max(makespan bound, rate-limit bound) for `n` jobs with the drawn `durations`, at most
 * `lanes` in flight, and at least `perJob` keyed requests a job (submit + status + result = 3).
 */
function lowerBound({ durations, lanes, limit, windowMs, perJob = 3 }) {
	const makespanMs = listScheduleMs(durations, lanes);
	const rateMs = rateBoundMs(perJob * durations.length, limit, windowMs);
	return { lowerBoundMs: Math.max(makespanMs, rateMs), makespanMs, rateMs, binding: rateMs > makespanMs ? 'rate' : 'jobs' };
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
	const windows = keyed.length ? Math.max(...keyed.map((r) => r.window ?? 0)) + 1 : 0;
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

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

module.exports = { listScheduleMs, rateBoundMs, lowerBound, serverStats, requestIdOf, median };
