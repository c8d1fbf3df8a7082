'use strict';
/**
 * Helpers to drive a REAL n8n (installed by install-n8n.js) from tests and scripts:
 * a private user folder with our BUILT package installed as a community package,
 * credential/workflow import, `n8n execute`, `n8n start`, a photo host, cleanup.
 */
const fs = require('fs');
const os = require('os');
const net = require('net');
const path = require('path');
const http = require('http');
const { spawn } = require('child_process');

const REPO = path.resolve(__dirname, '..', '..');
const PKG = require(path.join(REPO, 'package.json'));
const EXAMPLES = path.join(REPO, 'examples');
const FACE_PNG = path.join(REPO, 'test', 'fixtures', 'face.png');
/** The credential id the example workflows reference. */
const CREDENTIAL_ID = 'SegmindCred00001';
const CREDENTIAL_NAME = 'Segmind account';
const NODE_TYPE = `${PKG.name}.segmindFaceToMany`;

/** Progress and timings: shown by scripts, and in Jest only with SEGMIND_REAL_N8N_VERBOSE=1 (passing suites stay quiet). */
function log(msg) {
	const verbose = process.env.SEGMIND_REAL_N8N_VERBOSE === '1' || (!process.env.JEST_WORKER_ID && process.env.SEGMIND_REAL_N8N_QUIET !== '1');
	if (verbose) process.stderr.write(`[real-n8n] ${msg}\n`);
}

/** What went wrong (a failed start, a failed cleanup): always shown. */
function warn(msg) {
	process.stderr.write(`[real-n8n] ${msg}\n`);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** Copy the built package (package.json + dist, no node_modules) as n8n installs community nodes. */
function installPackageInto(userFolder) {
	const dist = path.join(REPO, 'dist');
	if (!fs.existsSync(path.join(dist, 'nodes', 'SegmindFaceToMany', 'SegmindFaceToMany.node.js'))) {
		throw new Error('dist/ is missing: run `npm run build` first');
	}
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PKG.name);
	fs.mkdirSync(target, { recursive: true });
	fs.copyFileSync(path.join(REPO, 'package.json'), path.join(target, 'package.json'));
	fs.cpSync(dist, path.join(target, 'dist'), { recursive: true });
	// What `npm install <pkg>` leaves in the nodes folder.
	fs.writeFileSync(
		path.join(userFolder, '.n8n', 'nodes', 'package.json'),
		JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PKG.name]: PKG.version } }, null, 2),
	);
	return target;
}

function makeUserFolder(label = 'run') {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `segmind-n8n-${label}-`));
	installPackageInto(dir);
	return dir;
}

/** Environment for an n8n process of runtime `rt` with its own user folder. */
function n8nEnv(rt, userFolder, extra = {}) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) {
		if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|npm_)/.test(k)) delete env[k];
	}
	// Jest sets NODE_ENV=test, which silences n8n's logger (and so `--rawOutput`).
	for (const k of ['NODE_OPTIONS', 'NODE_ENV', 'JEST_WORKER_ID', 'TS_JEST']) delete env[k];
	return {
		...env,
		PATH: `${rt.pathPrefix}${path.delimiter}${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: 'segmind-real-n8n-test-key',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_RESTRICT_FILE_ACCESS_TO: '',
		N8N_SECURE_COOKIE: 'false',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		...rt.env,
		...extra,
	};
}

/** Run the n8n CLI and collect its output. Never throws on a non-zero exit. */
async function runN8n(rt, env, args, opts = {}) {
	// n8n 2.x always starts a task broker (default port 5679): give every process its own port.
	if (!env.N8N_RUNNERS_BROKER_PORT) env = { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
	return runN8nProcess(rt, env, args, opts);
}

function runN8nProcess(rt, env, args, { timeoutMs = 180000 } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(rt.nodeBin, [rt.n8nBin, ...args], { env, cwd: env.N8N_USER_FOLDER, stdio: ['ignore', 'pipe', 'pipe'] });
		const out = [];
		const err = [];
		child.stdout.on('data', (c) => out.push(c));
		child.stderr.on('data', (c) => err.push(c));
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			const result = {
				code,
				signal,
				ms: Date.now() - started,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
			};
			if (signal === 'SIGKILL') {
				return reject(new Error(`n8n ${args.join(' ')} timed out after ${timeoutMs} ms\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`));
			}
			resolve(result);
		});
	});
}

async function runN8nOk(rt, env, args, opts) {
	const r = await runN8n(rt, env, args, opts);
	if (r.code !== 0) {
		throw new Error(`n8n ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout.slice(-4000)}\nstderr: ${r.stderr.slice(-4000)}`);
	}
	return r;
}

/**
 * `n8n execute --rawOutput` prints log lines, maybe "Execution was NOT successful" lines, the run
 * as pretty-printed JSON (a `{` line … a `}` line), then maybe more error lines.
 */
function parseRawOutput(stdout) {
	const lines = stdout.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (lines[i] !== '{') continue;
		for (let j = i + 1; j < lines.length; j++) {
			if (lines[j] !== '}') continue;
			try {
				return JSON.parse(lines.slice(i, j + 1).join('\n'));
			} catch {}
		}
	}
	throw new Error(`No JSON run data in n8n output:\n${stdout.slice(0, 3000)}`);
}

function credentialsFor(baseUrl, apiKey, { id = CREDENTIAL_ID, name = CREDENTIAL_NAME } = {}) {
	return [{ id, name, type: 'segmindApi', data: { apiKey, baseUrl, uploadBaseUrl: baseUrl } }];
}

function loadExample(file) {
	return JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
}

function findNode(workflow, predicate) {
	const node = workflow.nodes.find(typeof predicate === 'string' ? (n) => n.name === predicate : predicate);
	if (!node) throw new Error(`Node not found in workflow ${workflow.name}`);
	return node;
}

/** Set a string field of the "Settings" Set node (assignments) of an example workflow. */
function setSetting(workflow, name, value) {
	const settings = findNode(workflow, 'Settings');
	const a = settings.parameters.assignments.assignments.find((x) => x.name === name);
	if (!a) throw new Error(`Settings has no field ${name}`);
	a.value = value;
	return workflow;
}

function writeJson(dir, file, data) {
	const p = path.join(dir, file);
	fs.writeFileSync(p, JSON.stringify(data, null, 2));
	return p;
}

/** A small host for the face photo (GET /face.png) and an upload target (POST /upload). */
async function startPhotoHost() {
	const face = fs.readFileSync(FACE_PNG);
	const uploads = [];
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			if (req.method === 'GET' && /^\/face(-\d+)?\.png$/.test(req.url)) {
				res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': face.length });
				return res.end(face);
			}
			if (req.method === 'POST' && req.url.startsWith('/upload')) {
				const body = Buffer.concat(chunks);
				uploads.push({ url: req.url, contentType: req.headers['content-type'], body });
				res.writeHead(200, { 'Content-Type': 'application/json' });
				return res.end(JSON.stringify({ ok: true, bytes: body.length }));
			}
			res.writeHead(404, { 'Content-Type': 'text/plain' });
			res.end('not found');
		});
	});
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const url = `http://127.0.0.1:${server.address().port}`;
	return {
		url,
		face,
		uploads,
		stop: () =>
			new Promise((resolve) => {
				for (const s of sockets) s.destroy();
				server.close(() => resolve());
			}),
	};
}

/**
 * Start a long-running n8n process (start / worker); returns {child, logs(), stop()}.
 * Set N8N_RUNNERS_BROKER_PORT (see brokerEnv) when several run at once: n8n 2.x starts a task
 * broker in every process, on 5679 by default.
 */
function startN8nProcess(rt, env, args, label = args[0]) {
	const child = spawn(rt.nodeBin, [rt.n8nBin, ...args], { env, cwd: env.N8N_USER_FOLDER, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const chunks = [];
	child.stdout.on('data', (c) => chunks.push(c));
	child.stderr.on('data', (c) => chunks.push(c));
	let exited = null;
	child.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	return {
		child,
		label,
		get exited() {
			return exited;
		},
		logs: () => Buffer.concat(chunks).toString('utf8'),
		stop: () => killTree(child),
	};
}

/** Stop a process group we started: SIGTERM, then SIGKILL after 10 s. */
function killTree(child, graceMs = 10000) {
	return new Promise((resolve) => {
		if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
		const done = () => {
			clearTimeout(timer);
			resolve();
		};
		child.once('exit', done);
		const signal = (sig) => {
			try {
				process.kill(-child.pid, sig);
			} catch {
				try {
					child.kill(sig);
				} catch {}
			}
		};
		signal('SIGTERM');
		const timer = setTimeout(() => {
			signal('SIGKILL');
			setTimeout(resolve, 1000);
		}, graceMs);
	});
}

async function waitFor(fn, { timeoutMs = 120000, intervalMs = 500, what = 'condition' } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	while (Date.now() < deadline) {
		try {
			const v = await fn();
			if (v) return v;
		} catch (e) {
			lastError = e;
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
	throw new Error(`Timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

/** Minimal cookie-keeping JSON client for n8n's REST API. */
function restClient(baseUrl) {
	let cookie = '';
	async function request(method, p, body, headers = {}) {
		const res = await fetch(`${baseUrl}${p}`, {
			method,
			headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}), ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		for (const c of setCookie) {
			const pair = c.split(';')[0];
			if (pair.startsWith('n8n-auth=')) cookie = pair;
		}
		const text = await res.text();
		let json;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}
		return { status: res.status, json, text };
	}
	return {
		request,
		get cookie() {
			return cookie;
		},
	};
}

/**
 * Whether a REST answer comes from the started app: while n8n starts up it answers every path
 * with 200 and the text "n8n is starting up. Please wait", which a status check alone takes for
 * ready (and an owner set up then is silently not created).
 */
function restReady(response) {
	return response.status === 200 && response.json !== undefined && response.json.data !== undefined;
}

const OWNER = { email: 'owner@example.com', firstName: 'Test', lastName: 'Owner', password: 'Segmind-Test-1' };

/** Create the owner (POST /rest/owner/setup) and keep the session cookie. */
async function setupOwner(client) {
	const r = await client.request('POST', '/rest/owner/setup', OWNER);
	if (!restReady(r)) throw new Error(`owner setup failed: ${r.status} ${r.text.slice(0, 500)}`);
	if (!client.cookie) {
		const l = await client.request('POST', '/rest/login', { emailOrLdapLoginId: OWNER.email, email: OWNER.email, password: OWNER.password });
		if (!restReady(l)) throw new Error(`login failed: ${l.status} ${l.text.slice(0, 500)}`);
	}
	return r.json;
}

function rmrf(p) {
	try {
		fs.rmSync(p, { recursive: true, force: true, maxRetries: 3 });
	} catch {}
}

module.exports = {
	REPO,
	PKG,
	EXAMPLES,
	FACE_PNG,
	CREDENTIAL_ID,
	CREDENTIAL_NAME,
	NODE_TYPE,
	OWNER,
	log,
	warn,
	freePort,
	installPackageInto,
	makeUserFolder,
	n8nEnv,
	runN8n,
	runN8nOk,
	parseRawOutput,
	credentialsFor,
	loadExample,
	findNode,
	setSetting,
	writeJson,
	startPhotoHost,
	startN8nProcess,
	killTree,
	waitFor,
	restClient,
	restReady,
	setupOwner,
	rmrf,
};
