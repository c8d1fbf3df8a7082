import { findOutputUrl, toJobResult } from '../../../nodes/SegmindFaceToMany/transport/responses';

describe('result parsing', () => {
	const url = 'https://images.segmind.com/generations/abc.jpeg';

	it.each([
		['output as a string', { output: url }],
		['output as an array', { output: [url, 'https://images.segmind.com/other.jpeg'] }],
		['output as an array of objects', { output: [{ url }] }],
		['images[0].url', { images: [{ url, content_type: 'image/jpeg', file_name: 'abc.jpeg' }] }],
	])('finds the output URL in %s', (_, body) => {
		expect(findOutputUrl(body)).toBe(url);
	});

	it('fails with the job named when the result has no output URL', () => {
		const body = { status: 'COMPLETED', output: null };
		expect(() => toJobResult(body, 'req-1')).toThrow(
			expect.objectContaining({ facts: { problem: 'noOutputUrl' }, requestId: 'req-1', body }),
		);
	});

	it('carries metrics and seed', () => {
		const result = toJobResult(
			{ output: url, seed: 42, metrics: { inference_time: 21.3, cost: 0.0246 }, images: [{ url, content_type: 'image/jpeg', file_name: 'a.jpeg' }] },
			'req-1',
		);
		expect(result).toMatchObject({ outputUrl: url, seed: 42, metrics: { inference_time: 21.3, cost: 0.0246 } });
	});
});
