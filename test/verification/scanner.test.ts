/**
 * `npm run verify:n8n` (scripts/verify-n8n.js) is the gate that runs n8n's verification scanner
 * in `npm test`. These tests prove the gate can fail: a small package with known violations must
 * produce exactly those findings, with file and line, and a non-zero exit; and the package's own
 * codex and icons must be what the gate and n8n expect.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'verify-n8n.js');

const BAD_NODE = `import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

export class BadExample implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Bad Example',
		name: 'badExample',
		icon: 'file:bad.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'A node with known violations',
		defaults: { name: 'Bad Example' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		try {
			return [this.getInputData()];
		} catch (error) {
			// eslint-disable-next-line @n8n/community-nodes/require-node-api-error
			throw error;
		}
	}
}
`;

function makeBadPackage(dir: string): void {
	const pkg = {
		name: 'n8n-nodes-bad-fixture',
		version: '0.0.1',
		description: 'fixture',
		keywords: ['n8n-community-node-package'],
		license: 'MIT',
		homepage: 'https://example.com',
		author: { name: 'Someone' },
		files: ['dist'],
		n8n: { n8nNodesApiVersion: 1, nodes: ['dist/nodes/Bad/BadExample.node.js'] },
		peerDependencies: { 'n8n-workflow': '*' },
	};
	fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
	fs.mkdirSync(path.join(dir, 'nodes', 'Bad'), { recursive: true });
	fs.writeFileSync(path.join(dir, 'nodes', 'Bad', 'BadExample.node.ts'), BAD_NODE);
	fs.writeFileSync(path.join(dir, 'nodes', 'Bad', 'bad.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
	// "built" output without the codex and without the icon
	fs.mkdirSync(path.join(dir, 'dist', 'nodes', 'Bad'), { recursive: true });
	fs.writeFileSync(
		path.join(dir, 'dist', 'nodes', 'Bad', 'BadExample.node.js'),
		"'use strict';\nclass BadExample { constructor() { this.description = { icon: 'file:bad.svg' }; } }\nexports.BadExample = BadExample;\n",
	);
}

describe('n8n verification scan (npm run verify:n8n)', () => {
	let dir: string;
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-verify-fixture-'));
		makeBadPackage(dir);
	});
	afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

	it('lists each violation with file:line, ignores inline disables, and exits non-zero', () => {
		const run = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', cwd: ROOT });
		expect(run.stderr).toBe('');
		expect(run.status).toBe(1);
		const findings = run.stdout
			.split('\n')
			.filter((line) => /^\S+\s+(error|warning)\s/.test(line))
			.map((line) => line.split(/\s+/).slice(0, 3).join(' '));
		expect(findings.sort()).toEqual(
			[
				'package.json:10:3 error @n8n/community-nodes/valid-author',
				'nodes/Bad/BadExample.node.ts:13:9 warning @n8n/community-nodes/icon-prefer-themed-variants',
				'nodes/Bad/BadExample.node.ts:30:4 error @n8n/community-nodes/require-node-api-error',
				'<tarball>/package.json:10:3 error @n8n/community-nodes/valid-author',
				'<tarball>/dist/nodes/Bad/bad.svg error shipped-files',
				'<tarball>/dist/nodes/Bad/BadExample.node.json error shipped-files',
			].sort(),
		);
		expect(run.stdout).toContain('source: 2 files, 2 errors, 1 warnings');
		expect(run.stdout).toContain('n8n verification scan FAILED');
	});

	it('leaves no temporary folder behind', () => {
		const before = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('segmind-verify-') && !dir.endsWith(name));
		spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8', cwd: ROOT });
		const after = fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('segmind-verify-') && !dir.endsWith(name));
		expect(after).toEqual(before);
	});
});

describe('codex and icons n8n reads', () => {
	const nodeDir = path.join(ROOT, 'nodes', 'SegmindFaceToMany');
	const codex = JSON.parse(fs.readFileSync(path.join(nodeDir, 'SegmindFaceToMany.node.json'), 'utf8'));
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

	it('names the node as n8n does (package name . node name) and the words users type in the picker', () => {
		expect(codex.node).toBe(`${pkg.name}.segmindFaceToMany`);
		expect(codex).toMatchObject({ nodeVersion: '1.0', codexVersion: '1.0' });
		const aliases = (codex.alias as string[]).map((a) => a.toLowerCase());
		for (const word of ['avatar', '3d avatar', 'cartoon', '3d', 'emoji', 'pixel art', 'clay', 'toy', 'selfie', 'portrait', 'face', 'stylize']) {
			expect(aliases).toContain(word);
		}
	});

	it('uses categories the node picker knows and links to the README and Segmind docs', () => {
		const known = ['AI', 'Analytics', 'Communication', 'Core Nodes', 'Data & Storage', 'Development', 'Developer Tools', 'Finance & Accounting', 'Marketing', 'Miscellaneous', 'Productivity', 'Sales', 'Utility'];
		for (const category of codex.categories) expect(known).toContain(category);
		// n8n's node picker hides a node of the AI category from "What happens next?" (and from its
		// search) unless its AI subcategories include "Root Nodes", as n8n's own OpenAI node does.
		if (codex.categories.includes('AI')) expect(codex.subcategories.AI).toContain('Root Nodes');
		expect(codex.resources.primaryDocumentation[0].url).toBe(pkg.homepage);
		const credentialDocs = codex.resources.credentialDocumentation.map((r: { url: string }) => r.url);
		expect(credentialDocs).toEqual([pkg.homepage.replace('#readme', '#credentials'), 'https://docs.segmind.com/']);
	});

	it('has a light and a dark icon, different files, for the node and the credential', () => {
		for (const folder of [nodeDir, path.join(ROOT, 'credentials')]) {
			const light = fs.readFileSync(path.join(folder, 'segmind.svg'), 'utf8');
			const dark = fs.readFileSync(path.join(folder, 'segmind.dark.svg'), 'utf8');
			expect(light).toMatch(/^<svg[^>]+viewBox="0 0 60 60"/);
			expect(dark).toMatch(/^<svg[^>]+viewBox="0 0 60 60"/);
			expect(dark).not.toBe(light);
		}
	});
});
