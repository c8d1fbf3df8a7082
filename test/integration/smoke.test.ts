import { binaryBuffer, runWorkflow, segmindWorkflow } from '../harness/n8n-engine';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSegmindServer } = require('../server/segmind-server');

test('a URL photo comes out of the node as a PNG binary', async () => {
	const server = createSegmindServer({ apiKey: 'k-123' });
	const url = await server.start();
	try {
		const result = await runWorkflow(segmindWorkflow({ style: 'Clay', options: { pollIntervalSeconds: 0.1 } }), {
			credentials: { apiKey: 'k-123', baseUrl: url },
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output('Segmind Face to Many');
		expect(item.binary?.data?.mimeType).toBe('image/png');
		expect((await binaryBuffer(item)).subarray(1, 4).toString()).toBe('PNG');
	} finally {
		await server.stop();
	}
});
