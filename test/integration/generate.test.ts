/**
 * The Generate Image operation end to end inside n8n's execution engine, against the local
 * Segmind server on 127.0.0.1: what comes out, and what the server was sent.
 */
import API_DEFAULTS from '../fixtures/api-defaults.json';
import { binaryBuffer } from '../harness/n8n-engine';
import { runNode, useServer } from './support';

const ctx = useServer({ queueMs: 30, processingMs: 80 });
const FAST = { pollIntervalSeconds: 0.1, expectedJobSeconds: 0.1 };
const routes = (name: string) => ctx.server.requests.filter((r) => r.route === name);

describe('Generate from an image URL', () => {
	it('submits the documented flat body with the API defaults, polls, and emits the PNG as binary', async () => {
		const result = await runNode(ctx.server, { imageUrl: 'https://example.com/me.jpg', style: 'Video game', options: FAST });
		expect(result.error).toBeUndefined();

		const [submit] = routes('submit');
		expect(routes('submit')).toHaveLength(1);
		expect(submit.body).toEqual({ ...API_DEFAULTS, image: 'https://example.com/me.jpg', style: 'Video game' });

		const items = result.items;
		expect(items).toHaveLength(1);
		const [item] = items;
		expect(item.json).toMatchObject({
			status: 'COMPLETED',
			style: 'Video game',
			// Segmind does not say which seed it drew: the item says it was random rather than -1.
			seed: 'random',
			mime_type: 'image/png',
			metrics: { inference_time: expect.any(Number), cost: 0.0246, remaining_credits: expect.any(Number) },
		});
		expect(item.json.request_id).toMatch(/^[0-9a-f-]{36}$/);
		expect(item.json).not.toHaveProperty('output_url');
		expect(item.pairedItem).toEqual({ item: 0 });

		const binary = item.binary!.data;
		expect(binary.mimeType).toBe('image/png');
		expect(binary.fileExtension).toBe('png');
		expect(binary.fileName).toBe(`segmind-video-game-${item.json.request_id}.png`);
		const bytes = await binaryBuffer(item);
		expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
		expect(bytes.length).toBe(item.json.file_size);
	});

	it('sends the key on API calls only: never to the public output URL', async () => {
		await runNode(ctx.server, { options: FAST });
		const api = ctx.server.requests.filter((r) => r.route !== 'download');
		expect(api.length).toBeGreaterThan(2);
		expect(api.every((r) => r.apiKeyValid)).toBe(true);
		expect(routes('download')).toHaveLength(1);
		expect(routes('download')[0].hasApiKey).toBe(false);
	});

	it('waits one poll interval before the first status check instead of polling a just-queued job', async () => {
		ctx.server.configure({ queueMs: 0, processingMs: 0 });
		await runNode(ctx.server, { options: { pollIntervalSeconds: 0.2, expectedJobSeconds: 0.1 } });
		// The job is done by the first look: one status call, one result call.
		expect(ctx.server.requests.map((r) => r.route)).toEqual(['submit', 'status', 'result', 'download']);
	});

	it('omits custom_lora_url unless set, and sends it when it is', async () => {
		const lora = 'https://replicate.delivery/pbxt/abc123/trained_model.tar';
		await runNode(ctx.server, { customLoraUrl: lora, seed: 1321321, options: FAST });
		expect(routes('submit')[0].body).toMatchObject({ custom_lora_url: lora, seed: 1321321 });
		const result = await runNode(ctx.server, { seed: 1321321, options: FAST });
		expect(routes('submit')[1].body).not.toHaveProperty('custom_lora_url');
		expect(result.items[0].json.seed).toBe(1321321);
	});

	it('returns only the URL when "Output" is "URL Only"', async () => {
		const result = await runNode(ctx.server, { options: FAST, commonOptions: { output: 'url' } });
		const [item] = result.items;
		expect(item.binary).toBeUndefined();
		expect(item.json.output_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/outputs\/.+\.png$/);
		expect(routes('download')).toHaveLength(0);
	});

	it('writes the image to the binary property named in the options', async () => {
		const result = await runNode(ctx.server, { options: FAST, commonOptions: { binaryPropertyOutput: 'styled' } });
		const [item] = result.items;
		expect(Object.keys(item.binary ?? {})).toEqual(['styled']);
	});

	it.each(['array', 'images'])('reads results whose output is given as %s', async (outputShape) => {
		ctx.server.configure({ outputShape });
		const result = await runNode(ctx.server, { options: FAST });
		expect(result.error).toBeUndefined();
		expect(result.items[0].binary?.data.mimeType).toBe('image/png');
	});
});

describe('Generate from a binary property', () => {
	it.each(['file_urls', 'urls'])(
		'uploads the photo to Segmind storage (answer key %s) and submits its URL',
		async (uploadKey) => {
			ctx.server.configure({ uploadKey });
			const result = await runNode(
				ctx.server,
				{ imageSource: 'binary', binaryPropertyName: 'photo', style: 'Emoji', options: FAST },
				{ items: [{ file: 'fixtures/face.png', property: 'photo', json: { who: 'ada' } }] },
			);
			expect(result.error).toBeUndefined();
			const [upload] = routes('upload');
			expect(routes('upload')).toHaveLength(1);
			expect((upload.body?.data_urls as string[])[0]).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
			expect(upload.apiKeyValid).toBe(true);
			expect(routes('submit')[0].body?.image).toMatch(new RegExp(`^${ctx.server.url}/assets/`));
			expect(result.items[0].binary?.data.mimeType).toBe('image/png');
		},
	);

	it('uses the real image type of a photo whose MIME type is generic', async () => {
		const result = await runNode(
			ctx.server,
			{ imageSource: 'binary', options: FAST },
			{ items: [{ file: 'fixtures/face.png', mimeType: 'application/octet-stream', fileName: 'upload.bin' }] },
		);
		expect(result.error).toBeUndefined();
		expect((routes('upload')[0].body?.data_urls as string[])[0]).toMatch(/^data:image\/png;base64,/);
	});
});

describe('many items', () => {
	const photos = ['3D', 'Emoji', 'Video game', 'Pixels', 'Clay', 'Toy'].map((style, i) => ({
		json: { style, name: `photo-${i}` },
	}));

	it('runs items concurrently up to "Max Jobs in Flight", keeping order, pairedItem and per-item expressions', async () => {
		const result = await runNode(ctx.server, { style: '={{ $json.style }}', prompt: '={{ "portrait of " + $json.name }}', options: { ...FAST, maxConcurrency: 2 } }, { items: photos });
		expect(result.error).toBeUndefined();
		const items = result.items;
		expect(items.map((i) => i.json.style)).toEqual(photos.map((p) => p.json.style));
		expect(items.map((i) => i.pairedItem)).toEqual(photos.map((_, i) => ({ item: i })));
		expect(routes('submit').map((r) => r.body?.prompt).sort()).toEqual(photos.map((p) => `portrait of ${p.json.name}`).sort());
		expect(routes('submit')).toHaveLength(6);
		// With a limit of 2, exactly two jobs are in flight before the first one finishes.
		const firstDownload = ctx.server.requests.findIndex((r) => r.route === 'download');
		expect(ctx.server.requests.slice(0, firstDownload).filter((r) => r.route === 'submit')).toHaveLength(2);
		expect(new Set(items.map((i) => i.json.request_id)).size).toBe(6);
	});

	it('runs them one at a time with a limit of 1', async () => {
		await runNode(ctx.server, { options: { ...FAST, maxConcurrency: 1 } }, { items: photos.slice(0, 3) });
		expect(ctx.server.requests.map((r) => r.route).filter((r) => r !== 'status')).toEqual([
			'submit', 'result', 'download', 'submit', 'result', 'download', 'submit', 'result', 'download',
		]);
	});
});
