/**
 * The README is for users, in the order of n8n's community-node README template, and it names
 * exactly one command for the demo and one for all tests; CI runs exactly that test command, and
 * releases are published with provenance.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const README = read('README.md');
const PKG = JSON.parse(read('package.json'));

const DEMO_COMMAND = 'npm ci && npm run demo';
const TEST_COMMAND = 'npm ci && npm test';

/** Lines inside fenced code blocks. */
function codeLines(markdown: string): string[] {
	const lines: string[] = [];
	let inside = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) inside = !inside;
		else if (inside) lines.push(line.trim());
	}
	return lines;
}

describe('README', () => {
	it('follows the order of n8n community-node README template, after a "Try it" section', () => {
		const headings = README.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3).trim());
		const template = ['Installation', 'Operations', 'Credentials', 'Compatibility', 'Usage', 'Resources', 'Version history'];
		expect(headings.filter((h) => template.includes(h))).toEqual(template);
		// Only the try-it section comes before the reference material.
		expect(headings.slice(0, 2)).toEqual(['Try it without a Segmind account', 'Installation']);
	});

	it('gets a user to try it (no n8n, no key), or to install, credential and a first workflow, in the first screenful', () => {
		const firstScreen = README.split('\n').slice(0, 12).join('\n');
		expect(firstScreen).toContain('](#try-it-without-a-segmind-account)');
		expect(firstScreen).toContain('](#installation)');
		expect(firstScreen).toContain('](#credentials)');
		expect(firstScreen).toContain('](#your-first-workflow)');
		expect(README).toMatch(/^### Your first workflow$/m);
	});

	it('"Try it" says what to run, how long the first run takes, the login it prints, and that the images are placeholders', () => {
		const tryIt = README.slice(README.indexOf('## Try it without a Segmind account'), README.indexOf('## Installation'));
		expect(codeLines(tryIt)).toContain('npm ci && npm run n8n');
		expect(tryIt).toMatch(/first time takes/i);
		expect(tryIt).toMatch(/\d+ minutes/);
		// The login as scripts/n8n-dev.js prints it (test/real-n8n/helpers.js OWNER).
		expect(tryIt).toContain('Email:     owner@example.com');
		expect(tryIt).toContain('Password:  Segmind-Test-1');
		expect(tryIt).toMatch(/placeholder/);
		expect(tryIt).toMatch(/takes any API key/);
	});

	it('has a first workflow that pastes into n8n: the node type, a style and an image URL', () => {
		const usage = README.slice(README.indexOf('### Your first workflow'));
		const json = usage.slice(usage.indexOf('```json') + 7, usage.indexOf('\n```', usage.indexOf('```json')));
		const workflow = JSON.parse(json);
		const node = workflow.nodes.find((n: { type: string }) => n.type === `${PKG.name}.segmindFaceToMany`);
		expect(node.parameters).toMatchObject({ imageUrl: expect.stringMatching(/^https:\/\//), style: 'Clay' });
		expect(Object.keys(node.credentials)).toEqual(['segmindApi']);
		expect(workflow.connections[workflow.nodes[0].name].main[0][0].node).toBe(node.name);
	});

	it('tells how to install a local build: npm pack, the tarball into ~/.n8n/nodes, restart; and for Docker', () => {
		const install = README.slice(README.indexOf('## Installation'), README.indexOf('## Operations'));
		expect(install).toContain('npm pack');
		expect(install).toMatch(/cd ~\/\.n8n\/nodes && npm install --omit=peer \S+\.tgz/);
		expect(install).toMatch(/restart/i);
		expect(install).toContain('/home/node/.n8n');
	});

	it('names exactly one command for the demo and one for all tests', () => {
		const lines = codeLines(README);
		expect(lines.filter((l) => l.includes('npm run demo'))).toEqual([DEMO_COMMAND]);
		expect(lines.filter((l) => /\bnpm (run )?test\b/.test(l))).toEqual([TEST_COMMAND]);
		expect(PKG.scripts.demo).toBeDefined();
		expect(PKG.scripts.test).toBe('npm run build && npm run lint && npm run verify:n8n && npm run typecheck && jest');
	});

	it('links only to files that exist', () => {
		// Written on the benchmark branch (the README's former Performance section).
		const providedByAnotherBranch = ['docs/performance.md'];
		const targets = [...README.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)[^)]*\)/g)].map((m) => m[1]);
		expect(targets.length).toBeGreaterThan(5);
		const missing = targets.filter((t) => !fs.existsSync(path.join(ROOT, t)) && !providedByAnotherBranch.includes(t));
		expect(missing).toEqual([]);
	});
});

describe('CI and publishing', () => {
	it('.ci/run runs exactly the README test command', () => {
		const lines = read('.ci/run').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
		expect(lines[lines.length - 1]).toBe(TEST_COMMAND);
		expect(lines.filter((l) => l.includes('npm '))).toEqual([TEST_COMMAND]);
	});

	it('the CI workflow runs .ci/run on push and pull request, on Node 20', () => {
		const ci = read('.github/workflows/ci.yml');
		expect(ci).toMatch(/^on:\n(\s+.*\n)*?\s+push:/m);
		expect(ci).toMatch(/^\s+pull_request:/m);
		expect(ci).toMatch(/container: node:20-/);
		expect(ci).toMatch(/run: bash \.ci\/run$/m);
	});

	it('the publish workflow runs on version tags after CI, with provenance', () => {
		const publish = read('.github/workflows/publish.yml');
		expect(publish).toMatch(/tags:\n\s+- 'v\*\.\*\.\*'/);
		expect(publish).toMatch(/uses: \.\/\.github\/workflows\/ci\.yml/);
		expect(publish).toMatch(/needs: test/);
		expect(publish).toMatch(/id-token: write/);
		expect(publish).toMatch(/run: npm publish --provenance --access public$/m);
		expect(publish).toMatch(/npm run build && npm run lint && npm run verify:n8n/);
	});

	it('package.json has an author with name and email, no main, and a CHANGELOG exists', () => {
		expect(PKG.author).toEqual({ name: expect.any(String), email: expect.stringMatching(/^[^@\s]+@[^@\s]+\.[a-z]+$/) });
		expect(PKG.main).toBeUndefined();
		expect(read('CHANGELOG.md')).toMatch(/^## \[Unreleased\]/m);
	});
});
