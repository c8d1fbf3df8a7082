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

/**
 * n8n start + owner + imported credential and example workflows (plus `credentials` and
 * `workflows` of the caller's own, imported the same way). Always call stop().
 */
async function startEditorStack({ version = EDITOR_VERSION, credentials = [], workflows = [] } = {}) {
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
		const creds = h.writeJson(work, 'credentials.json', [...h.credentialsFor(stack.server.url, API_KEY), ...credentials]);
		t = Date.now();
		await h.runN8nOk(stack.rt, stack.env, ['import:credentials', `--input=${creds}`, '--decrypted']);
		await h.runN8nOk(stack.rt, stack.env, ['import:workflow', '--separate', `--input=${h.EXAMPLES}`]);
		if (workflows.length) {
			const dir = path.join(work, 'workflows');
			fs.mkdirSync(dir);
			workflows.forEach((workflow, i) => h.writeJson(dir, `${i}.json`, workflow));
			await h.runN8nOk(stack.rt, stack.env, ['import:workflow', '--separate', `--input=${dir}`]);
		}
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

const TRIGGER = 'When clicking ‘Execute workflow’';
/** Ids of the workflows tryItWorkflows() makes. */
const TRY_IT = { node: 'TryItFreshNode01', agent: 'TryItFreshTool01', chatCredential: 'TryItChatModel01' };

/** The AI Agent version n8n gives an agent added fresh on this n8n line (its `defaultVersion`). */
function freshAgentVersion(rt) {
	const file = path.join(rt.dir, 'node_modules', '@n8n', 'n8n-nodes-langchain', 'dist', 'nodes', 'agents', 'Agent', 'Agent.node.js');
	const match = /defaultVersion:\s*([\d.]+)/.exec(fs.readFileSync(file, 'utf8'));
	if (!match) throw new Error(`no defaultVersion in ${file}`);
	return Number(match[1]);
}

/**
 * What a new user starts from, for the fresh-node and fresh-tool paths: an empty workflow with
 * only a manual trigger, and a manual trigger → AI Agent (as n8n adds one fresh, prompt defined
 * below) with an OpenAI Chat Model whose credential's Base URL is the local chat model. Neither
 * has a Segmind node: the test adds them in the editor.
 */
function tryItWorkflows(rt, chatModelUrl) {
	const trigger = { id: 'try-trigger', name: TRIGGER, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
	const common = { active: false, settings: { executionOrder: 'v1' }, pinData: {} };
	const credentials = [{ id: TRY_IT.chatCredential, name: 'Local chat model', type: 'openAiApi', data: { apiKey: 'sk-local-test', url: `${chatModelUrl}/v1` } }];
	const workflows = [
		{ ...common, id: TRY_IT.node, name: 'Try it: a fresh node', nodes: [trigger], connections: {} },
		{
			...common,
			id: TRY_IT.agent,
			name: 'Try it: a fresh tool',
			nodes: [
				trigger,
				{
					id: 'try-agent',
					name: 'AI Agent',
					type: '@n8n/n8n-nodes-langchain.agent',
					typeVersion: freshAgentVersion(rt),
					position: [240, 0],
					parameters: { promptType: 'define', text: 'Make a video game version of my photo', options: {} },
				},
				{
					id: 'try-model',
					name: 'OpenAI Chat Model',
					type: '@n8n/n8n-nodes-langchain.lmChatOpenAi',
					// Chat Completions (1.3 defaults to the Responses API), the model by ID.
					typeVersion: 1.2,
					position: [120, 240],
					parameters: { model: { __rl: true, mode: 'id', value: 'fake-model' }, options: {} },
					credentials: { openAiApi: { id: TRY_IT.chatCredential, name: 'Local chat model' } },
				},
			],
			connections: {
				[TRIGGER]: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
				'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			},
		},
	];
	return { credentials, workflows };
}

/** Type `query` into the open node creator and click the listed node called `nodeName`. */
async function pickFromCreator(page, query, nodeName) {
	const creator = page.locator('[data-test-id="node-creator"]');
	await creator.waitFor();
	await page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first().fill(query);
	const item = creator.locator('[data-test-id="item-iterator-item"]').filter({ has: page.locator('[data-test-id="node-creator-item-name"]', { hasText: nodeName }) }).first();
	await item.waitFor();
	await item.click();
	return creator;
}

/**
 * As a user adds a node after the trigger: the "+" on the trigger's output, search `query`,
 * pick `nodeName`, then the action `action` (n8n lists a node's operations as actions). The new
 * node's panel opens; returns it.
 */
async function addNodeAfterTrigger(page, query, nodeName, action) {
	await page.locator('[data-handleid="outputs/main/0"] [data-test-id="canvas-handle-plus"]').first().click();
	const creator = await pickFromCreator(page, query, nodeName);
	await creator.locator('[data-test-id="item-iterator-item"]').filter({ hasText: action }).first().click();
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.locator('[data-test-id="node-parameters"]').first().waitFor();
	return ndv;
}

/** As a user gives an AI Agent a tool: the "+" on its Tool input, search `query`, pick `nodeName`. Returns the tool's panel. */
async function addToolToAgent(page, query, nodeName) {
	await page.locator('[data-handleid="inputs/ai_tool/0"] [data-test-id="canvas-handle-plus"]').first().click();
	await pickFromCreator(page, query, nodeName);
	const ndv = page.locator('[data-test-id="ndv"]');
	await ndv.locator('[data-test-id="node-parameters"]').first().waitFor();
	return ndv;
}

/** Open a workflow on the canvas (without opening a node). */
async function openWorkflow(page, baseUrl, workflowId) {
	await page.goto(`${baseUrl}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await dismissPopups(page);
}

/** The subtitles of the canvas nodes, by node name (their text without the name). */
async function canvasSubtitles(page) {
	const texts = await page.locator('[data-test-id="canvas-node"]').allInnerTexts();
	return texts.map((t) => t.split('\n').map((line) => line.trim()).filter(Boolean));
}

/** The newest execution of a workflow once it has ended (REST API), with its status. */
async function finishedExecution(client, workflowId, { after = 0, timeoutMs = 120000 } = {}) {
	return await h.waitFor(
		async () => {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const r = await client.request('GET', `/rest/executions?filter=${filter}`);
			const results = (r.json && r.json.data && r.json.data.results) || [];
			const newest = results.filter((e) => Number(e.id) > after).sort((a, b) => Number(b.id) - Number(a.id))[0];
			return newest && !['new', 'running', 'waiting'].includes(newest.status) ? newest : null;
		},
		{ timeoutMs, intervalMs: 1000, what: `an execution of ${workflowId} to end` },
	);
}

module.exports = {
	startEditorStack,
	launchBrowser,
	signIn,
	openNodePanel,
	openWorkflow,
	dismissPopups,
	searchNodePicker,
	addNodeAfterTrigger,
	addToolToAgent,
	canvasSubtitles,
	finishedExecution,
	tryItWorkflows,
	TRY_IT,
	CHROMIUM,
	API_KEY,
	EDITOR_VERSION,
};
