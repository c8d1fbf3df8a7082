'use strict';
/**
 * Drive n8n's editor (n8n start + Debian chromium via playwright-core) against the local
 * Segmind server. Used by editor.test.ts and screenshots.js.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensureN8n } = require('./install-n8n');
const h = require('./helpers');
const { createSegmindServer } = require('../server/segmind-server');

const CHROMIUM = process.env.SEGMIND_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];
const API_KEY = 'editor-key-5678';
const EDITOR_VERSION = process.env.SEGMIND_EDITOR_N8N || '1.123.81';

/** n8n start + owner + imported credential and example workflows. Always call stop(). */
async function startEditorStack({ version = EDITOR_VERSION } = {}) {
	const stack = { version, timings: {} };
	const cleanups = [];
	stack.stop = async () => {
		for (const fn of cleanups.reverse()) {
			try {
				await fn();
			} catch (e) {
				h.warn(`cleanup: ${e.message}`);
			}
		}
	};
	try {
		let t = Date.now();
		stack.rt = ensureN8n(version);
		stack.timings.install = Date.now() - t;
		stack.server = createSegmindServer({ apiKey: API_KEY, queueMs: 100, processingMs: 200 });
		await stack.server.start();
		cleanups.push(() => stack.server.stop());
		stack.userFolder = h.makeUserFolder(`editor-${version}`);
		cleanups.push(() => process.env.SEGMIND_KEEP_TMP !== '1' && h.rmrf(stack.userFolder));
		const work = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-n8n-editor-'));
		cleanups.push(() => h.rmrf(work));
		const port = await h.freePort();
		stack.baseUrl = `http://127.0.0.1:${port}`;
		stack.env = h.n8nEnv(stack.rt, stack.userFolder, {
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_EDITOR_BASE_URL: stack.baseUrl,
			N8N_RUNNERS_BROKER_PORT: String(await h.freePort()),
		});
		const creds = h.writeJson(work, 'credentials.json', h.credentialsFor(stack.server.url, API_KEY));
		t = Date.now();
		await h.runN8nOk(stack.rt, stack.env, ['import:credentials', `--input=${creds}`, '--decrypted']);
		await h.runN8nOk(stack.rt, stack.env, ['import:workflow', '--separate', `--input=${h.EXAMPLES}`]);
		stack.timings.import = Date.now() - t;
		t = Date.now();
		stack.n8n = h.startN8nProcess(stack.rt, stack.env, ['start'], 'n8n start');
		cleanups.push(() => stack.n8n.stop());
		await h.waitFor(
			async () => {
				if (stack.n8n.exited) throw new Error(`n8n start exited ${JSON.stringify(stack.n8n.exited)}:\n${stack.n8n.logs().slice(-3000)}`);
				const r = await fetch(`${stack.baseUrl}/healthz`).catch(() => null);
				return r && r.ok;
			},
			{ timeoutMs: 180000, what: `n8n start on ${stack.baseUrl}` },
		).catch((e) => {
			throw new Error(`${e.message}\n${stack.n8n.logs().slice(-3000)}`);
		});
		// /healthz answers before the REST API is mounted on some versions.
		stack.client = h.restClient(stack.baseUrl);
		await h.waitFor(async () => h.restReady(await stack.client.request('GET', '/rest/settings')), { timeoutMs: 120000, what: 'REST API' });
		stack.timings.start = Date.now() - t;
		await h.setupOwner(stack.client);
		stack.cleanups = cleanups;
		return stack;
	} catch (e) {
		await stack.stop();
		throw e;
	}
}

async function launchBrowser() {
	const { chromium } = require('playwright-core');
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

async function signIn(page, baseUrl) {
	await page.goto(`${baseUrl}/signin`);
	const email = page.locator('input[type="email"], input[name="email"], input[name="emailOrLdapLoginId"]').first();
	await email.waitFor({ timeout: 60000 });
	await email.fill(h.OWNER.email);
	await page.locator('input[type="password"]').first().fill(h.OWNER.password);
	await page.locator('input[type="password"]').first().press('Enter');
	await page.waitForURL((u) => !u.pathname.includes('signin'), { timeout: 60000 });
}

/** Open a workflow and double-click a node to open its parameter panel (NDV). */
async function openNodePanel(page, baseUrl, workflowId, nodeName) {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: nodeName }).first();
	await node.waitFor({ timeout: 60000 });
	await dismissPopups(page);
	await node.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.waitFor({ timeout: 30000 });
	await page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]').first().waitFor({ timeout: 30000 });
	return ndv;
}

async function dismissPopups(page) {
	for (const text of ['Got it', 'Skip', 'Close', 'Dismiss']) {
		const b = page.getByRole('button', { name: text, exact: true });
		if (await b.count()) await b.first().click({ timeout: 2000 }).catch(() => {});
	}
	await page.keyboard.press('Escape').catch(() => {});
}

/**
 * Open the node picker ("What happens next?") from a workflow that already has a trigger, type
 * `query` and return the names of the nodes it lists.
 */
async function searchNodePicker(page, baseUrl, workflowId, query) {
	if (!page.url().includes(`/workflow/${workflowId}`)) {
		await page.goto(`${baseUrl}/workflow/${workflowId}`);
		await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
		await dismissPopups(page);
	}
	const creator = page.locator('[data-test-id="node-creator"]');
	if (!(await creator.isVisible().catch(() => false))) {
		await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
		await creator.waitFor();
	}
	const search = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await search.fill(query);
	const names = creator.locator('[data-test-id="item-iterator-item"] [data-test-id="node-creator-item-name"]');
	// The list is filtered as you type: wait until it shows what was typed, or settles on nothing.
	await page.waitForFunction(
		(q) => {
			const input = document.querySelector('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]');
			return input && input.value === q;
		},
		query,
	);
	await page.waitForTimeout(500);
	return (await names.allInnerTexts()).map((t) => t.trim());
}

module.exports = { startEditorStack, launchBrowser, signIn, openNodePanel, dismissPopups, searchNodePicker, CHROMIUM, API_KEY, EDITOR_VERSION };
