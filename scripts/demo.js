#!/usr/bin/env node
'use strict';
/**
 * The demo: run a workflow (Manual Trigger → sample face photo → Segmind Face to Many) inside
 * n8n's execution engine and write the stylised image to out/.
 * - With SEGMIND_API_KEY set, it calls the real Segmind API (costs one job).
 * - Without it, it starts the bundled local Segmind-compatible server on 127.0.0.1.
 * Options (env): DEMO_STYLE (3D, Emoji, Video game, Pixels, Clay, Toy; default 3D), DEMO_PROMPT.
 */
require('./ts-register');
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.N8N_USER_FOLDER) {
	// A private folder for n8n-core's config, removed when the demo ends.
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-demo-'));
	process.env.N8N_USER_FOLDER = userFolder;
	process.on('exit', () => fs.rmSync(userFolder, { recursive: true, force: true }));
}
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

const { runWorkflow, segmindWorkflow, binaryBuffer } = require('../test/harness/n8n-engine.ts');
const { createSegmindServer } = require('../test/server/segmind-server');

async function main() {
	const style = process.env.DEMO_STYLE || '3D';
	const realKey = process.env.SEGMIND_API_KEY;
	let server;
	let credentials;
	if (realKey) {
		console.log('SEGMIND_API_KEY is set: calling the real Segmind API (this spends one job).');
		credentials = { apiKey: realKey, baseUrl: 'https://api.segmind.com', uploadBaseUrl: 'https://workflows-api.segmind.com' };
	} else {
		const localKey = 'local-test-key';
		server = createSegmindServer({ apiKey: localKey, acceptAnyKey: true, queueMs: 300, processingMs: 1200 });
		const url = await server.start();
		console.log(`SEGMIND_API_KEY is not set: using the bundled local Segmind-compatible server at ${url} (it takes any API key; nothing is billed).`);
		console.log('That server stylises nothing: the image it returns is a placeholder picture it draws itself, not your photo. Set SEGMIND_API_KEY for a real result.');
		credentials = { apiKey: localKey, baseUrl: url, uploadBaseUrl: url };
	}
	try {
		const workflow = segmindWorkflow(
			{
				imageSource: 'binary',
				binaryPropertyName: 'data',
				style,
				prompt: process.env.DEMO_PROMPT || 'a person',
				// The local server's jobs take 1.5 s: its Expected Job Time says so (Advanced Options).
				options: realKey ? {} : { pollIntervalSeconds: 0.2, expectedJobSeconds: 1.5 },
			},
			{ items: [{ file: 'fixtures/face.png', json: { photo: 'test/fixtures/face.png' } }], name: 'Segmind demo' },
		);
		const started = Date.now();
		console.log(`Running: Manual Trigger → Photos (test/fixtures/face.png) → Segmind Face to Many (style ${style}) …`);
		const result = await runWorkflow(workflow, { credentials });
		if (result.error) {
			console.error(`The workflow failed: ${result.error.message}`);
			if (result.error.description) console.error(result.error.description);
			process.exitCode = 1;
			return;
		}
		const [item] = result.output('Segmind Face to Many');
		const bytes = await binaryBuffer(item);
		const outDir = path.resolve(__dirname, '..', 'out');
		fs.mkdirSync(outDir, { recursive: true });
		const file = path.join(outDir, item.binary.data.fileName);
		fs.writeFileSync(file, bytes);
		const { request_id, status, file_name, metrics } = item.json;
		console.log(JSON.stringify({ request_id, status, style: item.json.style, file_name, metrics }, null, 2));
		const what = realKey ? 'Stylised image' : 'Placeholder image from the local server (not a stylised photo)';
		console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. ${what} (${item.binary.data.mimeType}, ${bytes.length} bytes) written to:`);
		console.log(file);
	} finally {
		if (server) await server.stop();
	}
}

main().catch((error) => {
	console.error(error && error.message ? error.message : error);
	process.exitCode = 1;
});
