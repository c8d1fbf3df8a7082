'use strict';
/**
 * Child process for memory.test.ts: runs the node in n8n's engine (default or filesystem binary
 * mode) against the parent's local server and measures this process's RSS around each run, so
 * the parent's own heap (jest, the server writing 400 MB) does not blur the figures.
 *
 * Protocol (IPC): { init: { mode, url, apiKey } } → { ready: true } after one warm-up job;
 * { run: { parameters } } → { result: { error, elapsedMs, baselineMb, peakMb, growthMb } };
 * { exit: true } → exits.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-memory-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
require('../../scripts/ts-register');
const harness = require('../harness/n8n-engine.ts');

const MB = 1048576;
let target;

async function runOnce(parameters) {
	const result = await harness.runWorkflow(harness.segmindWorkflow(parameters), {
		credentials: { apiKey: target.apiKey, baseUrl: target.url, uploadBaseUrl: target.url },
	});
	return result.error ? String(result.error.message) : null;
}

async function measure(parameters) {
	if (global.gc) {
		global.gc();
		global.gc();
	}
	await new Promise((resolve) => setTimeout(resolve, 50));
	const baseline = process.memoryUsage.rss();
	let peak = baseline;
	const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
	const started = Date.now();
	const error = await runOnce(parameters);
	const elapsedMs = Date.now() - started;
	peak = Math.max(peak, process.memoryUsage.rss());
	clearInterval(sampler);
	return { error, elapsedMs, baselineMb: baseline / MB, peakMb: peak / MB, growthMb: (peak - baseline) / MB };
}

process.on('message', (message) => {
	const reply = (payload) => process.send(payload);
	const fail = (error) => reply({ failed: String((error && error.stack) || error) });
	if (message.init) {
		target = message.init;
		const storage = message.init.mode === 'filesystem' ? harness.initBinaryDataMode('filesystem') : Promise.resolve(undefined);
		storage
			.then((dir) => {
				if (dir) process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
				// Warm-up: module loading, JIT, sockets, one real image through the binary store.
				return runOnce({ options: { pollIntervalSeconds: 0.1, expectedJobSeconds: 0.1 } });
			})
			.then((error) => reply({ ready: true, warmUpError: error }), fail);
	} else if (message.run) {
		measure(message.run.parameters).then((result) => reply({ result }), fail);
	} else if (message.exit) {
		process.exit(0);
	}
});
