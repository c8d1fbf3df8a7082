/**
 * `npm run n8n` (scripts/n8n-dev.js): one command starts a real n8n with the node, an owner
 * account and a Segmind credential on the local server, prints the URL and login, and cleans up
 * on Ctrl+C. Run here on free ports instead of 5678 and 5690, with SEGMIND_API_KEY unset.
 */
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
jest.setTimeout(5 * 60 * 1000);
const h = require('./helpers');

const SCRIPT = path.join(h.REPO, 'scripts', 'n8n-dev.js');

describe('npm run n8n', () => {
	let child: ChildProcess;
	let stdout = '';
	let stderr = '';
	let port: number;
	let exit: Promise<{ code: number | null; signal: string | null }>;

	beforeAll(async () => {
		port = await h.freePort();
		const env: NodeJS.ProcessEnv = { ...process.env, N8N_PORT: String(port), SEGMIND_LOCAL_PORT: String(await h.freePort()) };
		delete env.SEGMIND_API_KEY;
		delete env.SEGMIND_N8N_DEV_FOLDER;
		delete env.NODE_ENV;
		child = spawn(process.execPath, [SCRIPT], { cwd: h.REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
		child.stdout!.on('data', (c) => (stdout += c));
		child.stderr!.on('data', (c) => (stderr += c));
		exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
		await h.waitFor(() => stdout.includes('Press Ctrl+C to stop.'), {
			timeoutMs: 4 * 60 * 1000,
			what: `npm run n8n to print its ready message (stdout: ${stdout.slice(-500)} stderr: ${stderr.slice(-2000)})`,
		}).catch((e: Error) => {
			throw new Error(`${e.message}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`);
		});
	}, 6 * 60 * 1000);

	afterAll(async () => {
		if (child && child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			await exit;
		}
	}, 60000);

	const shown = (label: string) => {
		const m = new RegExp(`^\\s*${label}:\\s+(\\S+)\\s*$`, 'm').exec(stdout);
		if (!m) throw new Error(`no "${label}:" line in:\n${stdout}`);
		return m[1];
	};

	/** The local server's URL as printed (what a user types as Base URL). */
	const localUrl = () => {
		const m = /at (http:\/\/127\.0\.0\.1:\d+), which takes any API key/.exec(stdout);
		if (!m) throw new Error(`no local server URL in:\n${stdout}`);
		return m[1];
	};

	test('prints the URL and a login that works, and says truthfully what the local server is', async () => {
		expect(shown('URL')).toBe(`http://localhost:${port}`);
		expect(stdout).toMatch(/the bundled local Segmind-compatible server/);
		expect(stdout).toMatch(/takes any API key \(no Segmind account needed; nothing is billed\)/);
		expect(stdout).toMatch(/placeholder/);
		expect(stdout).not.toMatch(/no API key needed/);
		// What the README's "Try it" section shows of this message is what it prints.
		const readme = fs.readFileSync(path.join(h.REPO, 'README.md'), 'utf8');
		const quoted = readme.slice(readme.indexOf('## Try it without a Segmind account'), readme.indexOf('## Installation'));
		for (const line of ['is running with the Segmind Face to Many node.', 'Email:     owner@example.com', 'Password:  Segmind-Test-1']) {
			expect(quoted).toContain(line);
			expect(stdout).toContain(line);
		}
		expect(stderr).toBe('');
		const client = h.restClient(`http://127.0.0.1:${port}`);
		const login = await client.request('POST', '/rest/login', {
			emailOrLdapLoginId: shown('Email'),
			email: shown('Email'),
			password: shown('Password'),
		});
		expect(login.status).toBe(200);
		const page = await fetch(`http://127.0.0.1:${port}/`);
		expect(page.status).toBe(200);
		expect(await page.text()).toMatch(/<div id="app"/);

		const types = (await client.request('GET', '/types/nodes.json')).json as any[];
		const node = types.find((t) => t.name === h.NODE_TYPE);
		expect(node).toBeDefined();
		expect(node.codex.alias).toContain('avatar');
		const creds = (await client.request('GET', '/rest/credentials')).json.data as any[];
		expect(creds.map((c) => [c.id, c.name, c.type])).toContainEqual([h.CREDENTIAL_ID, h.CREDENTIAL_NAME, 'segmindApi']);
		const workflows = (await client.request('GET', '/rest/workflows')).json.data as any[];
		expect(workflows.map((w) => w.id).sort()).toEqual(['SegmindExAgent01', 'SegmindExBatch01', 'SegmindExBin0001', 'SegmindExUrl0001']);
	});

	test('the credential reaches the local Segmind server (credential test in n8n)', async () => {
		const client = h.restClient(`http://127.0.0.1:${port}`);
		await client.request('POST', '/rest/login', { emailOrLdapLoginId: shown('Email'), email: shown('Email'), password: shown('Password') });
		const cred = await client.request('GET', `/rest/credentials/${h.CREDENTIAL_ID}?includeData=true`);
		expect(cred.status).toBe(200);
		expect(cred.json.data.data).toMatchObject({ baseUrl: localUrl(), uploadBaseUrl: localUrl() });
		const tested = await client.request('POST', '/rest/credentials/test', { credentials: cred.json.data });
		expect(tested.json.data).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	test('a credential the user makes with any key, as printed, passes its test', async () => {
		const client = h.restClient(`http://127.0.0.1:${port}`);
		await client.request('POST', '/rest/login', { emailOrLdapLoginId: shown('Email'), email: shown('Email'), password: shown('Password') });
		const data = { apiKey: 'my-own-words-123', baseUrl: localUrl(), uploadBaseUrl: localUrl() };
		const created = await client.request('POST', '/rest/credentials', { name: 'My Segmind', type: 'segmindApi', data });
		expect(created.status).toBe(200);
		const saved = await client.request('GET', `/rest/credentials/${created.json.data.id}?includeData=true`);
		const tested = await client.request('POST', '/rest/credentials/test', { credentials: saved.json.data });
		expect(tested.json.data).toEqual({ status: 'OK', message: 'Connection successful!' });
		// Without a key at all the local server still says no, as Segmind does.
		const keyless = await fetch(`${localUrl()}/v1/get-user-credits`);
		expect(keyless.status).toBe(401);
	});

	test('Ctrl+C stops n8n and removes the temporary n8n folder', async () => {
		const folder = /^n8n data: (\S+) \(temporary/m.exec(stdout)?.[1];
		expect(folder).toBeDefined();
		expect(fs.existsSync(folder!)).toBe(true);
		child.kill('SIGINT');
		expect(await exit).toEqual({ code: 0, signal: null });
		expect(fs.existsSync(folder!)).toBe(false);
		const down = await fetch(`http://127.0.0.1:${port}/healthz`).then(
			() => 'still up',
			() => 'down',
		);
		expect(down).toBe('down');
	});
});
