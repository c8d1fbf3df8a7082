#!/usr/bin/env node
'use strict';
/**
 * Benchmark: a batch of items through the node inside n8n's execution engine, against the
 * local Segmind server with a job time scaled down from Segmind's ~22 s (BENCH_JOB_MS, default
 * 1500 ms). It compares concurrency limits (1 = how the official SDK runs: one job at a time)
 * and reports wall time, throughput, HTTP requests per job and how long a finished job waits
 * before the node notices it.
 *   npm run bench                      (defaults: 20 items, limits 1,5,10)
 *   BENCH_ITEMS=40 BENCH_LIMITS=1,10,20 BENCH_JOB_MS=3000 npm run bench
 */
require('./ts-register');
const fs = require('fs');
const os = require('os');
const path = require('path');

process.env.N8N_USER_FOLDER = process.env.N8N_USER_FOLDER || fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-bench-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

const { runWorkflow, segmindWorkflow } = require('../test/harness/n8n-engine.ts');
const { createSegmindServer } = require('../test/server/segmind-server');

const ITEMS = Number(process.env.BENCH_ITEMS || 20);
const LIMITS = (process.env.BENCH_LIMITS || '1,5,10').split(',').map(Number);
const JOB_MS = Number(process.env.BENCH_JOB_MS || 1500);
const POLL_S = Number(process.env.BENCH_POLL_S || 0.25);
const IMAGE_PX = Number(process.env.BENCH_IMAGE_PX || 768);

async function runOnce(server, limit) {
	server.reset();
	server.configure({ queueMs: Math.round(JOB_MS * 0.2), processingMs: Math.round(JOB_MS * 0.8), imageSize: IMAGE_PX });
	const items = Array.from({ length: ITEMS }, (_, i) => ({ json: { n: i } }));
	const workflow = segmindWorkflow(
		{ style: 'Clay', options: { maxConcurrency: limit, pollIntervalSeconds: POLL_S } },
		{ items, name: 'bench' },
	);
	const started = process.hrtime.bigint();
	const result = await runWorkflow(workflow, {
		credentials: { apiKey: 'bench-key', baseUrl: server.url, uploadBaseUrl: server.url },
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (result.error) throw new Error(`run failed: ${result.error.message}`);
	const out = result.output('Segmind Face to Many');
	if (out.length !== ITEMS || out.some((i) => !i.binary)) throw new Error('missing outputs');
	// How long each finished job waited before its result was fetched.
	const lags = [];
	for (const job of server.jobs.values()) {
		const doneAt = job.createdAt + JOB_MS;
		const fetched = server.requests.find((r) => r.route === 'result' && r.path.endsWith(job.id));
		if (fetched) lags.push(fetched.at - doneAt);
	}
	lags.sort((a, b) => a - b);
	return {
		limit,
		seconds,
		jobsPerMinute: (ITEMS / seconds) * 60,
		requestsPerJob: server.requests.length / ITEMS,
		statusPerJob: server.count('status') / ITEMS,
		submits: server.count('submit'),
		lagP50: lags[Math.floor(lags.length / 2)],
		lagMax: lags[lags.length - 1],
	};
}

async function main() {
	const server = createSegmindServer({ apiKey: 'bench-key', credits: 1e6 });
	await server.start();
	console.log(
		`${ITEMS} items, job time ${JOB_MS} ms (queue 20% + processing 80%), poll interval ${POLL_S} s, ${IMAGE_PX}px PNG outputs, Node ${process.version}\n`,
	);
	const rows = [];
	try {
		await runOnce(server, Math.max(...LIMITS)); // warm-up (module loading, JIT)
		for (const limit of LIMITS) rows.push(await runOnce(server, limit));
	} finally {
		await server.stop();
	}
	const base = rows.find((r) => r.limit === 1) || rows[0];
	console.log('| max concurrent jobs | wall time (s) | jobs/min | speed-up vs 1 | HTTP requests/job | status polls/job | POSTs | finish→fetch lag p50 / max (ms) |');
	console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const r of rows) {
		console.log(
			`| ${r.limit} | ${r.seconds.toFixed(2)} | ${r.jobsPerMinute.toFixed(1)} | ${(base.seconds / r.seconds).toFixed(2)}x | ${r.requestsPerJob.toFixed(2)} | ${r.statusPerJob.toFixed(2)} | ${r.submits} | ${r.lagP50} / ${r.lagMax} |`,
		);
	}
	const ideal = (ITEMS * JOB_MS) / 1000;
	console.log(`\nOne job at a time can not beat ${ideal.toFixed(1)} s of pure job time for ${ITEMS} items; the SDK's fixed 1 s polling adds up to 1 s more per job.`);
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
