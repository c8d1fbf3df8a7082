/**
 * A node run over many items (actions/batch.ts), in n8n's engine against the local Segmind
 * server: what happens to the other items' billed jobs when one item stops the node.
 */
import { FAST, nodeError, runNode, useServer } from './support';

const ctx = useServer();

describe('a failure that stops the node', () => {
	test('names every job already sent and billed whose image it did not deliver, to collect with Get Job Result', async () => {
		const { server } = ctx;
		// Two jobs take a while at Segmind; the third item's submit is refused (no credits left).
		server.configure({ processingMs: 1500 });
		server.inject('submit', { status: 406, body: { error: 'Insufficient credits' }, when: (entry: { body?: { prompt?: string } }) => entry.body?.prompt === 'last' });
		const items = ['first', 'second', 'last'].map((prompt) => ({ json: { prompt } }));
		const run = await runNode(server, { prompt: '={{ $json.prompt }}', options: FAST }, { items });

		const error = nodeError(run);
		expect(error.httpCode).toBe('406');
		const billed = [...server.jobs.keys()];
		expect(billed).toHaveLength(2);
		for (const id of billed) expect(error.description).toContain(id);
		expect(error.description).toMatch(/Results are kept 1 hour: use Get Job Result with these request IDs\.$/);
		expect([...(error.context.undelivered_request_ids as string[])].sort()).toEqual([...billed].sort());
		// The node stopped: no image of the two was fetched.
		expect(server.count('download')).toBe(0);
	});

	test('a failure before anything was sent names no jobs', async () => {
		const run = await runNode(ctx.server, { seed: '={{ $json.seed }}', options: FAST }, { items: [{ json: { seed: 1 } }, { json: { seed: 'x' } }] });
		const error = nodeError(run);
		expect(error.description).not.toMatch(/billed/);
		expect(error.context.undelivered_request_ids).toBeUndefined();
		expect(ctx.server.requests).toHaveLength(0);
	});
});
