/**
 * Our BUILT package inside a REAL n8n, headless.
 * For each pinned n8n line (1.123.81 on Node 20, 2.40.7 on Node 24) the test installs n8n into
 * a cache folder outside the repo (reused when complete; see install-n8n.js), loads package.json
 * + dist as a community package, imports a credential that points at the local Segmind server,
 * imports the example workflows and runs them with `n8n execute --rawOutput`.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
jest.setTimeout(5 * 60 * 1000);
const { ensureN8n } = require('./install-n8n');
const h = require('./helpers');
const { createSegmindServer } = require('../server/segmind-server');

const LINES = (process.env.SEGMIND_N8N_LINES || '1.123.81,2.40.7').split(',').map((s) => s.trim()).filter(Boolean);
const API_KEY = 'real-n8n-key-1234';
const INSTALL_TIMEOUT = 25 * 60 * 1000;
const RUN_TIMEOUT = 5 * 60 * 1000;

type Item = { json: any; binary?: Record<string, any>; pairedItem?: any };

function nodeOutput(run: any, node: string): Item[] {
	const runs = run?.data?.resultData?.runData?.[node];
	if (!runs) throw new Error(`No run data for ${node}: ${JSON.stringify(run?.data?.resultData?.error ?? {}).slice(0, 1500)}`);
	return runs[0].data.main[0];
}

/**
 * Inline binary bytes (n8n 1.x default mode), or null when the binary lives in a binary-data
 * store (filesystem mode, the default on n8n 2.x): the CLI prunes that store when it exits.
 */
function inlineBytes(bin: any): Buffer | null {
	if (bin.id) {
		expect(bin.id).toMatch(/^filesystem(-v2)?:/);
		return null;
	}
	return Buffer.from(bin.data, 'base64');
}

describe.each(LINES)('real n8n %s (headless, n8n execute)', (version) => {
	let rt: any;
	let server: any;
	let photos: any;
	let userFolder = '';
	let work = '';
	let env: Record<string, string>;
	const timings: Record<string, number> = {};

	async function execute(id: string, extraEnv: Record<string, string> = {}) {
		const started = Date.now();
		const r = await h.runN8n(rt, { ...env, ...extraEnv }, ['execute', `--id=${id}`, '--rawOutput'], { timeoutMs: RUN_TIMEOUT });
		timings[`execute ${id}${extraEnv.N8N_DEFAULT_BINARY_DATA_MODE ? ` (${extraEnv.N8N_DEFAULT_BINARY_DATA_MODE})` : ''}`] = Date.now() - started;
		let run: any;
		try {
			run = h.parseRawOutput(r.stdout);
		} catch (e) {
			throw new Error(`${(e as Error).message}\nexit ${r.code}\nstderr: ${r.stderr.slice(-3000)}`);
		}
		return { ...r, run };
	}

	beforeAll(async () => {
		let t = Date.now();
		rt = ensureN8n(version);
		timings.install = Date.now() - t;
		server = createSegmindServer({ apiKey: API_KEY, queueMs: 150, processingMs: 300 });
		await server.start();
		photos = await h.startPhotoHost();
		userFolder = h.makeUserFolder(`headless-${version}`);
		work = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-n8n-work-'));
		env = h.n8nEnv(rt, userFolder);

		const creds = h.writeJson(work, 'credentials.json', h.credentialsFor(server.url, API_KEY));
		t = Date.now();
		await h.runN8nOk(rt, env, ['import:credentials', `--input=${creds}`, '--decrypted'], { timeoutMs: RUN_TIMEOUT });
		timings['import:credentials'] = Date.now() - t;

		// The examples, pointed at local servers through their Settings (nothing else changes).
		const wfDir = path.join(work, 'workflows');
		fs.mkdirSync(wfDir);
		const w1 = h.loadExample('01-url-photo-to-disk.json');
		h.setSetting(w1, 'photoUrl', `${photos.url}/face.png`);
		h.setSetting(w1, 'outputDir', path.join(work, 'out'));
		fs.mkdirSync(path.join(work, 'out'));
		h.writeJson(wfDir, '01.json', w1);
		// The error workflow: example 1 with a prompt the server blocks (job FAILED, HTTP 422).
		const err = JSON.parse(JSON.stringify(w1));
		err.id = 'SegmindTestErr01';
		err.name = 'Segmind error workflow (test)';
		h.findNode(err, 'Segmind Face to Many').parameters.prompt = 'a person, nsfw';
		h.writeJson(wfDir, '01-error.json', err);
		const w2 = h.loadExample('02-binary-photo-to-upload.json');
		h.setSetting(w2, 'photoUrl', `${photos.url}/face.png`);
		h.setSetting(w2, 'uploadUrl', `${photos.url}/upload`);
		h.writeJson(wfDir, '02.json', w2);
		const w3 = h.loadExample('03-scheduled-batch-summary.json');
		h.findNode(w3, 'Photo List').parameters.jsCode = `return [
  { photoUrl: '${photos.url}/face-1.png', style: 'Video game', prompt: 'a person' },
  { photoUrl: '${photos.url}/face-2.png', style: 'Emoji', prompt: 'a person, nsfw' },
  { photoUrl: '${photos.url}/face-3.png', style: 'Toy', prompt: 'a happy person' },
].map((json) => ({ json }));`;
		h.writeJson(wfDir, '03.json', w3);
		// Example 4 as shipped: import only (no chat model is reachable here).
		fs.copyFileSync(path.join(h.EXAMPLES, '04-ai-agent-tool.json'), path.join(wfDir, '04.json'));
		t = Date.now();
		await h.runN8nOk(rt, env, ['import:workflow', '--separate', `--input=${wfDir}`], { timeoutMs: RUN_TIMEOUT });
		timings['import:workflow'] = Date.now() - t;
	}, INSTALL_TIMEOUT);

	afterAll(async () => {
		h.log(`n8n ${version} timings (ms): ${JSON.stringify(timings)}`);
		if (server) await server.stop();
		if (photos) await photos.stop();
		if (process.env.SEGMIND_KEEP_TMP !== '1') {
			if (userFolder) h.rmrf(userFolder);
			if (work) h.rmrf(work);
		}
	});

	test('example 1: URL photo → Segmind → PNG written to disk', async () => {
		const { run, code, stdout } = await execute('SegmindExUrl0001');
		expect({ code, error: run.data.resultData.error }).toEqual({ code: 0, error: undefined });
		const [item] = nodeOutput(run, 'Segmind Face to Many');
		expect(item.json).toEqual(
			expect.objectContaining({
				status: 'COMPLETED',
				style: 'Clay',
				request_id: expect.any(String),
				mime_type: 'image/png',
				file_size: expect.any(Number),
				file_name: expect.stringMatching(/\.png$/),
				metrics: expect.objectContaining({ cost: expect.any(Number) }),
			}),
		);
		expect(item.json).toHaveProperty('seed');
		// Output "Binary" (the default) returns the image, not the link that expires in 7 days.
		expect(item.json).not.toHaveProperty('output_url');
		expect(item.binary?.data?.mimeType).toBe('image/png');
		// The job was sent with the URL from Settings and our API key.
		const submit = server.requests.find((r: any) => r.route === 'submit');
		expect(submit.body).toEqual(expect.objectContaining({ image: `${photos.url}/face.png`, style: 'Clay', prompt: 'a person' }));
		expect(submit.apiKeyValid).toBe(true);
		// Read/Write Files from Disk wrote the PNG (the same bytes the node returned).
		const file = fs.readFileSync(path.join(work, 'out', `${item.json.request_id}.png`));
		expect(file.subarray(1, 4).toString()).toBe('PNG');
		expect(file.length).toBe(item.json.file_size);
		const inline = inlineBytes(item.binary!.data);
		if (inline) expect(inline.equals(file)).toBe(true);
		expect(stdout).not.toContain(API_KEY);
	});

	test('error workflow: a blocked job stops the run with message and httpCode 422', async () => {
		const { run, code, stdout } = await execute('SegmindTestErr01');
		expect(code).not.toBe(0);
		expect(stdout).toContain('Execution was NOT successful');
		const error = run.data.resultData.error;
		expect(error).toBeDefined();
		expect(`${error.message} ${error.description ?? ''}`).toMatch(/Content blocked/);
		expect(String(error.httpCode)).toBe('422');
		expect(run.data.resultData.lastNodeExecuted).toBe('Segmind Face to Many');
		expect(stdout).not.toContain(API_KEY);
	});

	async function runBinaryExample(mode?: string) {
		const before = photos.uploads.length;
		const { run, code } = await execute('SegmindExBin0001', mode ? { N8N_DEFAULT_BINARY_DATA_MODE: mode } : {});
		expect({ code, error: run.data.resultData.error }).toEqual({ code: 0, error: undefined });
		const [item] = nodeOutput(run, 'Segmind Face to Many');
		expect(item.json).toEqual(expect.objectContaining({ status: 'COMPLETED', style: 'Pixels', mime_type: 'image/png' }));
		expect(item.binary?.data?.mimeType).toBe('image/png');
		// The input photo went to Segmind storage first, byte for byte, and the job used its URL.
		const submit = server.requests.filter((r: any) => r.route === 'submit').pop();
		const job = server.jobs.get(item.json.request_id);
		expect(job.body.image).toBe(submit.body.image);
		const asset = Buffer.from(await (await fetch(job.body.image)).arrayBuffer());
		expect(asset.equals(photos.face)).toBe(true);
		// The styled PNG was POSTed by the HTTP Request node.
		expect(photos.uploads.length).toBe(before + 1);
		const upload = photos.uploads[photos.uploads.length - 1].body;
		expect(upload.subarray(1, 4).toString()).toBe('PNG');
		expect(upload.length).toBe(item.json.file_size);
		expect(nodeOutput(run, 'Upload Styled Image')[0].json).toEqual({ ok: true, bytes: item.json.file_size });
		return item;
	}

	test('example 2: binary photo → Segmind (upload first) → HTTP upload of the PNG', async () => {
		await runBinaryExample();
	});

	test('example 2 in filesystem binary-data mode (node never reads binary.data directly)', async () => {
		const item = await runBinaryExample('filesystem');
		expect(item.binary!.data.id).toMatch(/^filesystem/);
	});

	test('example 3: batch with Continue On Fail: error items and a summary come out', async () => {
		const { run, code } = await execute('SegmindExBatch01');
		expect({ code, error: run.data.resultData.error }).toEqual({ code: 0, error: undefined });
		const items = nodeOutput(run, 'Segmind Face to Many');
		expect(items).toHaveLength(3);
		expect(items[0].json).toEqual(expect.objectContaining({ status: 'COMPLETED', style: 'Video game', output_url: expect.any(String) }));
		expect(items[0].binary).toBeUndefined(); // Output is URL Only in this example
		expect(items[1].json).toEqual(expect.objectContaining({ error: "Segmind's content filter blocked the job (item 2 of 3)", reason: 'contentBlocked' }));
		expect(`${items[1].json.error} ${items[1].json.description ?? ''}`).toMatch(/Content blocked/);
		expect(String(items[1].json.httpCode)).toBe('422');
		expect(items[2].json).toEqual(expect.objectContaining({ status: 'COMPLETED', style: 'Toy' }));
		expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [summary] = nodeOutput(run, 'Summary');
		expect(summary.json).toEqual(expect.objectContaining({ total: 3, succeeded: 2, failed: 1 }));
		expect(summary.json.errors[0]).toEqual(expect.objectContaining({ style: 'Emoji', httpCode: '422' }));
	});

	test('example 4: the AI Agent workflow imported with our node as a tool', async () => {
		const r = await h.runN8nOk(rt, env, ['export:workflow', '--id=SegmindExAgent01'], { timeoutMs: RUN_TIMEOUT });
		const start = r.stdout.indexOf('[');
		const [wf] = JSON.parse(r.stdout.slice(start));
		const tool = wf.nodes.find((n: any) => n.type === `${h.NODE_TYPE}Tool`);
		expect(tool).toBeDefined();
		expect(tool.credentials.segmindApi.id).toBe(h.CREDENTIAL_ID);
		expect(wf.connections['Segmind Face to Many'].ai_tool[0][0].node).toBe('AI Agent');
	});
});
