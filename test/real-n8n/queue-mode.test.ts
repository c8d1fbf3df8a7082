/**
 * Inside `npm test`: queue mode (main + 2 workers + Redis + PostgreSQL on
 * loopback, n8n 2.40.7) runs batches of our node through the main instance's webhook; see
 * queue-mode.js (also `npm run test:queue`). Skips with a message only outside CI when Redis or
 * PostgreSQL is not installed (scripts/ci-system-deps.sh installs both).
 */
import { spawnSync } from 'child_process';

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
jest.setTimeout(30 * 60 * 1000);
const queue = require('./queue-mode');
const h = require('./helpers');

function missingServices(): string[] {
	const missing = [];
	if (spawnSync('sh', ['-c', 'command -v redis-server']).status !== 0) missing.push('redis-server');
	try {
		queue.pgBinDir();
	} catch {
		missing.push('postgresql');
	}
	return missing;
}

const missing = missingServices();
const inCi = !!process.env.CI && process.env.CI !== 'false';
if (missing.length && !inCi) {
	// eslint-disable-next-line no-console
	console.warn(`SKIPPED queue-mode test: ${missing.join(', ')} not installed (run scripts/ci-system-deps.sh). In CI it always runs.`);
}
const describeQueue = missing.length && !inCi ? describe.skip : describe;

describeQueue('real n8n queue mode (main + workers + Redis + PostgreSQL)', () => {
	afterAll(async () => {
		await queue.cleanup();
	}, 120000);

	test('every item of every batch comes back from the workers, in the default and filesystem binary modes', async () => {
		const report = await queue.main();
		if (!report.ok) h.warn(`queue mode report: ${JSON.stringify(report)}`);
		else h.log(`queue mode report: ${JSON.stringify(report)}`);
		expect(report.runs.map((r: any) => ({ mode: r.mode, ok: r.ok, items: r.items, problems: r.problems }))).toEqual(
			report.runs.map((r: any) => ({ mode: r.mode, ok: true, items: report.batches * report.itemsPerBatch, problems: undefined })),
		);
		expect(report.runs.length).toBeGreaterThan(0);
		for (const run of report.runs) expect(run.jobsPerWorker.reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(report.batches);
		expect(report.ok).toBe(true);
	});
});
