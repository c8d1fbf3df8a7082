#!/usr/bin/env node
'use strict';
/**
 * `npm run n8n`: try the node in a real n8n editor with one command.
 *
 * Builds nothing itself (the npm script runs `npm run build` first). It
 *   - reuses (or installs, once, a few minutes) the pinned n8n the real-n8n tests use, outside the repo,
 *   - makes a private n8n user folder with the built package installed as a community node,
 *   - sets up a "Segmind account" credential: the real Segmind API when SEGMIND_API_KEY is set,
 *     otherwise the bundled local Segmind-compatible server on 127.0.0.1 (placeholder images,
 *     jobs of 2.5 s), which takes any API key, so a credential the user makes for it works too,
 *   - imports the example workflows, starts n8n at http://localhost:5678, creates an owner
 *     account and prints the URL, the login and what the credential points at.
 * Ctrl+C stops n8n (and the local server) and removes the temporary user folder.
 *
 * Environment: N8N_PORT (default 5678), N8N_LISTEN_ADDRESS (default 127.0.0.1),
 * SEGMIND_N8N_VERSION (1.123.81 (default) or 2.40.7), SEGMIND_API_KEY,
 * SEGMIND_LOCAL_PORT (the local Segmind server's port, default 5690),
 * SEGMIND_N8N_DEV_FOLDER (a folder to keep between runs instead of a temporary one).
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const { ensureN8n, isComplete } = require('../test/real-n8n/install-n8n');
const h = require('../test/real-n8n/helpers');
const { createSegmindServer } = require('../test/server/segmind-server');

const REAL = { baseUrl: 'https://api.segmind.com', uploadBaseUrl: 'https://workflows-api.segmind.com' };
/** The key the prepared credential holds for the local server (which takes any key). */
const LOCAL_KEY = 'local-test-key';
/** How long the first install of n8n takes (measured: README, "Try it without a Segmind account"). */
const FIRST_INSTALL = 'a few minutes: 7 measured on a busy 2-core machine';
/** The local server's jobs: queued 0.5 s, then 2 s of "processing", like a quick real job. */
const LOCAL_JOB = { queueMs: 500, processingMs: 2000 };

function portIsFree(port, host) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

/** Start the local Segmind server on `port` (another free one when that is taken). */
async function startLocalSegmind(port) {
	const server = createSegmindServer({ apiKey: LOCAL_KEY, acceptAnyKey: true, ...LOCAL_JOB });
	const wanted = (await portIsFree(port, '127.0.0.1')) ? port : 0;
	await server.start(wanted);
	return server;
}

/** Start everything; returns { url, login, userFolder, local, stop }. */
async function startDevN8n({ port, listen, version, apiKey, keepFolder, localPort = 5690, say = console.log }) {
	const cleanups = [];
	const stop = async () => {
		for (const fn of cleanups.splice(0).reverse()) {
			try {
				await fn();
			} catch (e) {
				say(`cleanup: ${e.message}`);
			}
		}
	};
	try {
		if (!(await portIsFree(port, listen))) {
			throw new Error(`port ${port} is in use (another n8n?): stop it or set N8N_PORT to another port`);
		}
		if (!isComplete(version)) {
			say(`Installing n8n ${version} once into a cache outside the repo (${FIRST_INSTALL}; later runs reuse it and start in under a minute)…`);
		}
		const rt = ensureN8n(version);

		let userFolder;
		if (keepFolder) {
			userFolder = path.resolve(keepFolder);
			fs.mkdirSync(userFolder, { recursive: true });
			h.installPackageInto(userFolder);
		} else {
			userFolder = h.makeUserFolder('dev');
			cleanups.push(() => h.rmrf(userFolder));
		}

		let credential;
		let local = null;
		if (apiKey) {
			credential = { apiKey, ...REAL };
		} else {
			local = await startLocalSegmind(localPort);
			cleanups.push(() => local.stop());
			credential = { apiKey: LOCAL_KEY, baseUrl: local.url, uploadBaseUrl: local.url };
		}

		const url = `http://localhost:${port}`;
		const env = h.n8nEnv(rt, userFolder, {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: listen,
			N8N_HOST: 'localhost',
			N8N_EDITOR_BASE_URL: url,
			N8N_RUNNERS_BROKER_PORT: String(await h.freePort()),
			N8N_LOG_LEVEL: 'warn',
		});
		const first = !fs.existsSync(path.join(userFolder, '.n8n', 'database.sqlite'));
		say(first ? 'Creating the Segmind credential and importing the example workflows…' : 'Updating the Segmind credential…');
		const work = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-n8n-dev-import-'));
		try {
			// Every start (also with a kept folder): the credential follows this run's server and key.
			const creds = h.writeJson(work, 'credentials.json', [
				{ id: h.CREDENTIAL_ID, name: h.CREDENTIAL_NAME, type: 'segmindApi', data: credential },
			]);
			await h.runN8nOk(rt, env, ['import:credentials', `--input=${creds}`, '--decrypted']);
			if (first) await h.runN8nOk(rt, env, ['import:workflow', '--separate', `--input=${h.EXAMPLES}`]);
		} finally {
			h.rmrf(work); // the file held the API key
		}

		say(`Starting n8n ${version}…`);
		const n8n = h.startN8nProcess(rt, env, ['start'], 'n8n start');
		cleanups.push(() => n8n.stop());
		const base = `http://127.0.0.1:${port}`;
		await h
			.waitFor(
				async () => {
					if (n8n.exited) throw new Error(`n8n exited ${JSON.stringify(n8n.exited)}`);
					const r = await fetch(`${base}/healthz`).catch(() => null);
					return r && r.ok;
				},
				{ timeoutMs: 180000, what: `n8n on ${url}` },
			)
			.catch((e) => {
				throw new Error(`${e.message}\n${n8n.logs().slice(-3000)}`);
			});
		const client = h.restClient(base);
		await h.waitFor(async () => h.restReady(await client.request('GET', '/rest/settings')), { timeoutMs: 120000, what: 'REST API' });
		const settings = await client.request('GET', '/rest/settings');
		const ownerDone = settings.json?.data?.userManagement?.showSetupOnFirstLoad === false;
		if (!ownerDone) await h.setupOwner(client);
		return { url, login: { email: h.OWNER.email, password: h.OWNER.password }, userFolder, local, n8n, stop };
	} catch (e) {
		await stop();
		throw e;
	}
}

async function main() {
	const port = Number(process.env.N8N_PORT || 5678);
	const listen = process.env.N8N_LISTEN_ADDRESS || '127.0.0.1';
	const version = process.env.SEGMIND_N8N_VERSION || '1.123.81';
	const apiKey = process.env.SEGMIND_API_KEY || '';
	const keepFolder = process.env.SEGMIND_N8N_DEV_FOLDER || '';
	const localPort = Number(process.env.SEGMIND_LOCAL_PORT || 5690);

	let stack = null;
	let stopping = false;
	const shutdown = async (code) => {
		if (stopping) return;
		stopping = true;
		console.log('\nStopping n8n…');
		if (stack) await stack.stop();
		console.log(keepFolder ? `Stopped. Your n8n data stays in ${keepFolder}.` : 'Stopped; the temporary n8n folder is removed.');
		process.exit(code);
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));

	stack = await startDevN8n({ port, listen, version, apiKey, keepFolder, localPort });
	if (stopping) return;
	try {
		console.log(readyMessage(stack, { version, keepFolder }).join('\n'));
	} catch (error) {
		// Never leave n8n and the local server running behind a failure.
		await stack.stop();
		throw error;
	}
	// Keep running until n8n stops or the user presses Ctrl+C.
	stack.n8n.child.on('exit', (code, signal) => {
		if (stopping) return;
		console.error(`n8n stopped on its own (${signal || `exit ${code}`}). Its last output:\n${stack.n8n.logs().slice(-3000)}`);
		shutdown(1);
	});
}

/** What `npm run n8n` prints once n8n is up (the README's "Try it" section quotes it). */
function readyMessage(stack, { version, keepFolder }) {
	const lines = [
		'',
		`n8n ${version} is running with the Segmind Face to Many node.`,
		'',
		`  URL:       ${stack.url}`,
		`  Email:     ${stack.login.email}`,
		`  Password:  ${stack.login.password}`,
		'',
	];
	if (stack.local) {
		lines.push(
			`Credential "${h.CREDENTIAL_NAME}" is ready: it points at the bundled local Segmind-compatible server`,
			`  at ${stack.local.url}, which takes any API key (no Segmind account needed; nothing is billed).`,
			`  A credential you make yourself works too: API Key any text (e.g. ${LOCAL_KEY}),`,
			`  Base URL and Upload Base URL ${stack.local.url}.`,
			'  The local server does not stylise anything: every "styled" image it returns is a placeholder',
			'  picture it draws itself, not your photo. Its jobs take 2.5 s. Set SEGMIND_API_KEY for real results.',
		);
	} else {
		lines.push(`Credential "${h.CREDENTIAL_NAME}": the real Segmind API (SEGMIND_API_KEY; every job is billed to your account).`);
	}
	lines.push(
		'Open the example workflows (Overview → Workflows), or add the node to a new workflow:',
		'search "Segmind" or "avatar" in the nodes panel.',
		`n8n data: ${stack.userFolder}${keepFolder ? '' : ' (temporary, removed when you stop)'}`,
		'Press Ctrl+C to stop.',
	);
	return lines;
}

if (require.main === module) {
	main().catch((error) => {
		console.error(`npm run n8n failed: ${error && error.message ? error.message : error}`);
		process.exit(1);
	});
}

module.exports = { startDevN8n, readyMessage, LOCAL_KEY };
