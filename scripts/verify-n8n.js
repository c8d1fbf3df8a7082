#!/usr/bin/env node
'use strict';
/**
 * n8n's verification scan, run locally: the lint rules of `@n8n/scan-community-package`
 * (the scanner n8n runs before it verifies a community node), applied exactly as its
 * `analyzePackage()` applies them (its own ESLint config from `buildScanConfig()`, inline
 * `eslint-disable` comments ignored), over
 *   1. the source it scans: `package.json` + `{nodes,credentials}/**\/*.{js,ts,json}`,
 *   2. the packed tarball (`npm pack` of the built package): `**\/*.js` + `package.json`.
 * The scanner's own CLI downloads the package from the public registry, so its exported
 * functions are called on directories instead.
 *
 * Every finding, error or warning, is printed as `file:line:column  severity  rule  message`,
 * and any finding fails the run (exit code 1): n8n's scanner fails on errors only, but a
 * warning here (e.g. icon-prefer-themed-variants) is something n8n's reviewers ask to fix.
 *
 * It also checks that the tarball ships what n8n loads: every node and credential file named in
 * package.json's `n8n` section, each node's codex (`<node>.node.json`) and every icon file the
 * node and credential classes name.
 *
 * Usage: node scripts/verify-n8n.js [packageDir]   (needs `npm run build` first, for the tarball)
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

// eslint-plugin-n8n-nodes-base treats every file as `Test.node.ts` when NODE_ENV is `test` (as
// under Jest), which turns its filename rules into false findings: scan as n8n does.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const SCANNER = '@n8n/scan-community-package/scanner/scanner.mjs';
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];

/** Runs the scanner's lint over `dir` and returns its verdict plus every finding (errors and warnings). */
async function scanDirectory(scanner, dir, patterns) {
	const { ESLint } = require(require.resolve('eslint', { paths: [path.dirname(require.resolve(SCANNER))] }));
	const glob = require(require.resolve('fast-glob', { paths: [path.dirname(require.resolve(SCANNER))] }));
	// The scanner's own verdict (it fails on errors only, and prints only its formatted text).
	const verdict = await scanner.analyzePackage(dir, patterns);
	// The same lint, with the same options and files, kept structured so each finding is listed.
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	const files = glob.sync(patterns, { cwd: dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
	const findings = [];
	if (files.length > 0) {
		for (const result of await eslint.lintFiles(files)) {
			for (const message of result.messages) {
				findings.push({
					file: path.relative(dir, result.filePath),
					line: message.line || 0,
					column: message.column || 0,
					severity: message.severity === 2 ? 'error' : 'warning',
					rule: message.ruleId || '(parser)',
					message: message.message,
				});
			}
		}
	}
	return { verdict, files: files.length, findings };
}

/** `npm pack` the package into `workDir` and unpack it; returns the unpacked folder. */
function packPackage(packageDir, workDir) {
	const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], {
		cwd: packageDir,
		encoding: 'utf8',
	});
	if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
	const [{ filename }] = JSON.parse(pack.stdout);
	const unpacked = path.join(workDir, 'tarball');
	fs.mkdirSync(unpacked);
	const tar = spawnSync('tar', ['-xzf', path.join(workDir, path.basename(filename)), '-C', unpacked, '--strip-components=1'], {
		encoding: 'utf8',
	});
	if (tar.status !== 0) throw new Error(`tar failed:\n${tar.stderr}`);
	return unpacked;
}

/** What n8n needs in the installed package: the files package.json names, codex and icons. */
function checkShippedFiles(unpacked) {
	const problems = [];
	const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
	const need = (rel, why) => {
		if (!fs.existsSync(path.join(unpacked, rel))) problems.push({ file: rel, message: `missing from the tarball (${why})` });
	};
	const n8n = pkg.n8n || {};
	for (const rel of [...(n8n.nodes || []), ...(n8n.credentials || [])]) {
		need(rel, 'named in package.json "n8n"');
		const full = path.join(unpacked, rel);
		if (!fs.existsSync(full)) continue;
		const source = fs.readFileSync(full, 'utf8');
		for (const [, icon] of source.matchAll(/['"]file:([^'"]+)['"]/g)) {
			need(path.join(path.dirname(rel), icon), `icon named in ${path.basename(rel)}`);
		}
	}
	for (const rel of n8n.nodes || []) {
		need(rel.replace(/\.js$/, '.json'), 'the codex n8n reads beside the node: categories, aliases, docs links');
	}
	return problems;
}

async function main() {
	const packageDir = path.resolve(process.argv[2] || path.join(__dirname, '..'));
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	// The scanner makes a temp folder when it is imported and never removes it: give it a private one.
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-verify-'));
	const scannerTmp = path.join(workDir, 'tmp');
	fs.mkdirSync(scannerTmp);
	process.env.TMPDIR = scannerTmp;
	let failed = false;
	try {
		const scanner = await import(require.resolve(SCANNER));
		const scannerVersion = require('@n8n/scan-community-package/package.json').version;
		console.log(`n8n verification scan (@n8n/scan-community-package ${scannerVersion}) of ${pkg.name}@${pkg.version}`);

		const missingDist = (pkg.n8n?.nodes || []).filter((rel) => !fs.existsSync(path.join(packageDir, rel)));
		if (missingDist.length > 0) throw new Error(`not built: ${missingDist.join(', ')} missing; run npm run build first`);
		const unpacked = packPackage(packageDir, workDir);

		const legs = [
			{ name: 'source', dir: packageDir, patterns: scanner.SOURCE_FILE_PATTERNS, shown: (f) => f },
			{ name: 'tarball', dir: unpacked, patterns: TARBALL_PATTERNS, shown: (f) => `<tarball>/${f}` },
		];
		for (const leg of legs) {
			const { verdict, files, findings } = await scanDirectory(scanner, leg.dir, leg.patterns);
			const errors = findings.filter((f) => f.severity === 'error').length;
			const warnings = findings.length - errors;
			if (files === 0) {
				console.log(`  ${leg.name}: no files to scan`);
				failed = true;
				continue;
			}
			for (const f of findings) {
				console.log(`${leg.shown(f.file)}:${f.line}:${f.column}  ${f.severity}  ${f.rule}  ${f.message}`);
			}
			// The two passes must agree: the scanner fails exactly when there are errors.
			if (verdict.passed !== (errors === 0)) {
				console.log(`  ${leg.name}: the scanner's verdict (${verdict.message || 'passed'}) disagrees with the findings above`);
				failed = true;
			}
			if (findings.length > 0) failed = true;
			console.log(`  ${leg.name}: ${files} files, ${errors} errors, ${warnings} warnings`);
		}

		const problems = checkShippedFiles(unpacked);
		for (const p of problems) console.log(`<tarball>/${p.file}  error  shipped-files  ${p.message}`);
		if (problems.length > 0) failed = true;
		console.log(`  tarball contents: ${problems.length === 0 ? 'nodes, credentials, codex and icons present' : `${problems.length} missing`}`);
	} finally {
		fs.rmSync(workDir, { recursive: true, force: true });
	}
	if (failed) {
		console.log('n8n verification scan FAILED: fix the findings above (inline eslint-disable comments do not count in this scan)');
		process.exitCode = 1;
	} else {
		console.log('n8n verification scan passed: 0 errors, 0 warnings');
	}
}

if (require.main === module) {
	main().catch((error) => {
		console.error(`n8n verification scan could not run: ${error && error.message ? error.message : error}`);
		process.exitCode = 1;
	});
}

module.exports = { scanDirectory, checkShippedFiles };
