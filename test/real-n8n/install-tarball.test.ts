/**
 * The README's "before it is on npm" install, run as written: `npm pack`, copy the tarball into
 * ~/.n8n/nodes and `npm install --omit=peer` it there (HOME is a temp folder), then a real n8n
 * started on that folder offers the node, its tool variant and the credential, with the codex.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
jest.setTimeout(5 * 60 * 1000);
const h = require('./helpers');
const { ensureN8n } = require('./install-n8n');

const VERSION = '1.123.81';

/** The README's install lines, from `npm pack` to `npm install` (the clone and `npm ci` are this repo). */
function readmeInstallLines(): string[] {
	const readme = fs.readFileSync(path.join(h.REPO, 'README.md'), 'utf8');
	const install = readme.slice(readme.indexOf('## Installation'), readme.indexOf('## Operations'));
	const block = install.slice(install.indexOf('```bash') + 7, install.indexOf('\n```', install.indexOf('```bash')));
	return block
		.split('\n')
		.map((l) => l.replace(/\s+#.*$/, '').trim())
		.filter((l) => l && !l.startsWith('git clone'));
}

describe(`installing the packed tarball as the README says (n8n ${VERSION})`, () => {
	let home: string;
	let n8n: any;
	let client: any;

	beforeAll(async () => {
		const rt = ensureN8n(VERSION);
		home = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-n8n-tarball-'));
		const lines = readmeInstallLines();
		expect(lines).toEqual([
			'npm ci && npm run build && npm pack',
			'mkdir -p ~/.n8n/nodes && cp n8n-nodes-segmind-face-to-many-*.tgz ~/.n8n/nodes/',
			'cd ~/.n8n/nodes && npm install --omit=peer ./n8n-nodes-segmind-face-to-many-*.tgz',
		]);
		// `npm ci && npm run build` already ran (npm test builds first): pack into a scratch copy of
		// the command so the tarball lands in the temp HOME, not in the repo.
		const script = [
			'set -e',
			`cd ${JSON.stringify(h.REPO)}`,
			`npm pack --ignore-scripts --silent --pack-destination "$HOME" >/dev/null`,
			'cd "$HOME"',
			...lines.slice(1),
		].join('\n');
		const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_cache: path.join(os.homedir(), '.npm'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_loglevel: 'error' };
		for (const k of Object.keys(env)) if (/^npm_(package|lifecycle)_/.test(k)) delete env[k];
		const run = spawnSync('bash', ['-c', script], { env, encoding: 'utf8' });
		if (run.status !== 0) throw new Error(`README install failed (${run.status}):\n${run.stdout}\n${run.stderr}`);

		const port = await h.freePort();
		const n8nEnv = h.n8nEnv(rt, home, { N8N_PORT: String(port), N8N_LISTEN_ADDRESS: '127.0.0.1', N8N_RUNNERS_BROKER_PORT: String(await h.freePort()) });
		n8n = h.startN8nProcess(rt, n8nEnv, ['start']);
		const base = `http://127.0.0.1:${port}`;
		await h.waitFor(
			async () => {
				if (n8n.exited) throw new Error(`n8n exited: ${n8n.logs().slice(-3000)}`);
				return (await fetch(`${base}/healthz`).catch(() => null))?.ok;
			},
			{ timeoutMs: 180000, what: 'n8n start' },
		);
		client = h.restClient(base);
		await h.waitFor(async () => h.restReady(await client.request('GET', '/rest/settings')), { what: 'REST API' });
		await h.setupOwner(client);
	}, 6 * 60 * 1000);

	afterAll(async () => {
		if (n8n) await n8n.stop();
		if (home) h.rmrf(home);
	}, 60000);

	it('puts the package, and no second n8n-workflow, into ~/.n8n/nodes', () => {
		const modules = path.join(home, '.n8n', 'nodes', 'node_modules');
		expect(fs.readdirSync(modules).filter((d) => !d.startsWith('.'))).toEqual([h.PKG.name]);
		const installed = path.join(modules, h.PKG.name);
		expect(fs.existsSync(path.join(installed, 'dist', 'nodes', 'SegmindFaceToMany', 'SegmindFaceToMany.node.json'))).toBe(true);
		expect(fs.existsSync(path.join(installed, 'dist', 'credentials', 'segmind.dark.svg'))).toBe(true);
	});

	it('n8n offers the node (with its codex and themed icons), its tool variant and the credential', async () => {
		const types = await h.waitFor(async () => {
			const r = await client.request('GET', '/types/nodes.json');
			if (!Array.isArray(r.json)) throw new Error(`${r.status} ${r.text.slice(0, 300)}`);
			return r.json;
		}, { what: 'node types', timeoutMs: 20000 });
		const ours = types.filter((t: any) => t.name.startsWith(`${h.PKG.name}.`));
		expect(ours.map((t: any) => t.name).sort()).toEqual([h.NODE_TYPE, `${h.NODE_TYPE}Tool`]);
		const node = ours.find((t: any) => t.name === h.NODE_TYPE);
		expect(node.codex).toMatchObject({ categories: ['AI', 'Marketing'], alias: expect.arrayContaining(['avatar']) });
		expect(Object.keys(node.iconUrl).sort()).toEqual(['dark', 'light']);
		const creds = (await client.request('GET', '/types/credentials.json')).json as any[];
		expect(creds.map((c) => c.name)).toContain('segmindApi');
	});
});
