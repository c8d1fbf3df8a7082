'use strict';
/**
 * Pure helpers of the benchmark (scripts/bench.js): the lower bound on wall time and the
 * figures read from the local server's request log. No I/O, so test/unit can check them.
 */

/**
 * The least wall time the API itself allows for jobs with these `durations` (ms, in the order
 * the server creates them: the local server gives the k-th job created the k-th drawn duration,
 * whoever submits it), all in flight at once, under a fixed-window rate limit of `limit` counted
 * requests per `windowMs` (windows start at the first counted request):
 *   - jobs: job k cannot be created before window floor(k / L) when submits count (both limit
 *     models), and then takes d_k: max over k of floor(k / L) × W + d_k (no limit: max d_k);
 *   - rate ('all' model only): at least 3 counted requests a job (submit, one status check, the
 *     result), the last in window ceil(3N / L): (ceil(3N / L) − 1) × W.
 * LB = max(jobs, rate). No client setting enters it: it is what Segmind allows, not what the
 * node does. (Downloads, unlimited and unkeyed, and request latency are left out: LB is a bound.)
 */
function lowerBound({ durations, limit = 0, windowMs = 60_000, counts = 'all', perJob = 3 }) {
	const n = durations.length;
	const start = (k) => (limit > 0 ? Math.floor(k / limit) * windowMs : 0);
	const jobsMs = Math.max(0, ...durations.map((d, k) => start(k) + d));
	const rateMs = limit > 0 && counts === 'all' && n > 0 ? (Math.ceil((perJob * n) / limit) - 1) * windowMs : 0;
	return { lowerBoundMs: Math.max(jobsMs, rateMs), jobsMs, rateMs, binding: rateMs > jobsMs ? 'rate' : 'jobs' };
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

function median(values) {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

module.exports = { lowerBound, serverStats, requestIdOf, median };
