'use strict';
/**
 * `npm run screenshots`: start a real n8n (n8n start on 127.0.0.1, random port) with the built
 * package, open example 1 in Debian's chromium and save the Segmind node panel to
 * docs/node-panel.png.
 */
const fs = require('fs');
const path = require('path');
const { startEditorStack, launchBrowser, signIn, openNodePanel } = require('./editor');
const h = require('./helpers');

async function main() {
	const out = path.resolve(process.argv[2] || path.join(h.REPO, 'docs', 'node-panel.png'));
	const stack = await startEditorStack();
	let browser;
	try {
		browser = await launchBrowser();
		const page = await browser.newPage({ viewport: { width: 1440, height: 1600 } });
		await signIn(page, stack.baseUrl);
		const ndv = await openNodePanel(page, stack.baseUrl, 'SegmindExUrl0001', 'Segmind Face to Many');
		await page.getByText('Model Options', { exact: true }).first().waitFor();
		await page.waitForTimeout(1000);
		fs.mkdirSync(path.dirname(out), { recursive: true });
		await ndv.screenshot({ path: out });
		console.log(`saved ${path.relative(process.cwd(), out)} (n8n ${stack.version})`);
	} finally {
		if (browser) await browser.close().catch(() => {});
		await stack.stop();
	}
}

if (require.main === module) {
	main().catch((e) => {
		console.error(e.stack || e.message);
		process.exit(1);
	});
}
