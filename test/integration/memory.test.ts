/**
 * Memory stays bounded whatever the server sends. In a child process (its RSS measured alone),
 * in n8n's default and filesystem binary modes: a 400 MB image against a 1 MB "Max Image Size",
 * with and without Content-Length, and an endless body, for the image download and for the v1
 * answer. Each run ends at once with an error naming the limit, and RSS grows by a few MB only.
 * (Before streaming, the 400 MB body cost ~810 MB of RSS and the endless one never ended.)
 */
import { fork, type ChildProcess } from 'child_process';
import * as path from 'path';

import { SECRET_KEY, useServer } from './support';

const ctx = useServer();

interface Measured {
	error: string | null;
	elapsedMs: number;
	baselineMb: number;
	peakMb: number;
	growthMb: number;
}

const FLOODS = [
	['400 MB with Content-Length', { bytes: 400 * 1048576, contentLength: true }],
	['400 MB without Content-Length', { bytes: 400 * 1048576, contentLength: false }],
	['an endless body', { bytes: Infinity }],
] as const;

const TARGETS = [
	['download', { options: { pollIntervalSeconds: 0.1, expectedJobSeconds: 0.1, maxImageSizeMb: 1, timeoutSeconds: 30 } }, /^The output image (is 400\.0 MB, )?(is )?over the 1 MB limit$/],
	['sync', { operation: 'generateSync', options: { maxImageSizeMb: 1, timeoutSeconds: 30 } }, /^The image (is 400\.0 MB, )?(is )?over the 1 MB limit$/],
] as const;

/** Growth allowed: a few MB of engine bookkeeping, far from the 400 MB body. */
const MAX_GROWTH_MB = 30;

describe.each(['default', 'filesystem'])('%s binary mode', (mode) => {
	let child: ChildProcess;
	const ask = (message: object) =>
		new Promise<{ ready?: boolean; warmUpError?: string | null; result?: Measured; failed?: string }>((resolve) => {
			child.once('message', resolve as (m: unknown) => void);
			child.send(message);
		});
	const table: string[] = [];

	beforeAll(async () => {
		child = fork(path.join(__dirname, 'memory-worker.js'), [], { execArgv: ['--expose-gc'], stdio: 'pipe' });
		const answer = await ask({ init: { mode, url: ctx.server.url, apiKey: SECRET_KEY } });
		expect(answer.failed).toBeUndefined();
		expect(answer.warmUpError).toBeNull();
	}, 60_000);

	afterAll(() => {
		child.send({ exit: true });
		// The measurements, for the record (SEGMIND_TEST_VERBOSE=1); a passing run stays quiet.
		if (process.env.SEGMIND_TEST_VERBOSE === '1') process.stdout.write(`\nRSS growth, ${mode} binary mode (1 MB cap):\n${table.join('\n')}\n`);
	});

	const cases = TARGETS.flatMap(([route, parameters, message]) => FLOODS.map(([label, flood]) => [route, label, flood, parameters, message] as const));
	test.each(cases)('%s of %s: ends at once, naming the limit, RSS grows a few MB', async (route, label, flood, parameters, message) => {
		ctx.server.inject(route, { flood, afterCreate: route === 'sync' });
		const answer = await ask({ run: { parameters } });
		expect(answer.failed).toBeUndefined();
		const result = answer.result as Measured;
		table.push(`  ${route.padEnd(8)} ${label.padEnd(30)} +${result.growthMb.toFixed(1)} MB (baseline ${result.baselineMb.toFixed(0)} MB), ${result.elapsedMs} ms`);
		expect(result.error).toMatch(message);
		expect(result.growthMb).toBeLessThan(MAX_GROWTH_MB);
		expect(result.elapsedMs).toBeLessThan(10_000);
		expect(ctx.server.count(route)).toBe(1);
	});
});
