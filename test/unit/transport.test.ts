import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorItemJson, toNodeError } from '../../nodes/SegmindFaceToMany/errors/toNodeError';
import { mapWithConcurrency } from '../../nodes/SegmindFaceToMany/helpers/concurrency';
import { detectImageType } from '../../nodes/SegmindFaceToMany/helpers/image';
import { findOutputUrl, toJobResult } from '../../nodes/SegmindFaceToMany/transport/responses';
import { SegmindFailure } from '../../nodes/SegmindFaceToMany/errors/failures';
import {
	backoffDelayMs,
	DEFAULT_RETRY_POLICY,
	rateLimitDelayMs,
	toTransportError,
} from '../../nodes/SegmindFaceToMany/transport/http';
import { ValidationFailure } from '../../nodes/SegmindFaceToMany/helpers/parameters';

const node: INode = {
	id: '1',
	name: 'Segmind Face to Many',
	type: 'n8n-nodes-segmind-face-to-many.segmindFaceToMany',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

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

	it('fails clearly when the result has no output URL', () => {
		expect(() => toJobResult({ status: 'COMPLETED', output: null }, 'req-1')).toThrow(
			"Segmind's result for job req-1 has no output image URL",
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

describe('retry timing', () => {
	it('doubles the backoff from 1 s and caps it at 30 s', () => {
		const mid = () => 1; // jitter at its top: full delay
		expect([0, 1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(a, DEFAULT_RETRY_POLICY, mid))).toEqual([
			1000, 2000, 4000, 8000, 16000, 30000, 30000,
		]);
		expect(backoffDelayMs(0, DEFAULT_RETRY_POLICY, () => 0)).toBe(500);
	});

	it('reads Retry-After in seconds and as a date, and x-rate-limit-reset-at-utc', () => {
		const now = Date.parse('2026-11-25T12:00:00Z');
		expect(rateLimitDelayMs({ 'retry-after': '3' }, now)).toBe(3000);
		expect(rateLimitDelayMs({ 'retry-after': 'Wed, 25 Nov 2026 12:00:05 GMT' }, now)).toBe(5000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': '2026-11-25T12:00:07Z' }, now)).toBe(7000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': '2026-11-25 12:00:02' }, now)).toBe(2000);
		expect(rateLimitDelayMs({ 'x-rate-limit-reset-at-utc': String(now / 1000 + 4) }, now)).toBe(4000);
		expect(rateLimitDelayMs({ 'retry-after': '1', 'x-rate-limit-reset-at-utc': '2026-11-25T12:00:06Z' }, now)).toBe(6000);
		expect(rateLimitDelayMs({}, now)).toBeUndefined();
	});
});

describe('connection failures', () => {
	it('knows which failures surely never reached the server (safe to re-POST)', () => {
		const refused = toTransportError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }));
		expect(refused.neverSent).toBe(true);
		const reset = toTransportError(new Error('socket hang up'));
		expect([reset.code, reset.neverSent]).toEqual(['ECONNRESET', false]);
		const timeout = toTransportError({ message: 'wrapped', cause: { code: 'ECONNABORTED', message: 'timeout of 3000ms exceeded' } });
		expect([timeout.code, timeout.neverSent]).toEqual(['ETIMEDOUT', false]);
	});

	it('keeps nothing of the original error (whose request config holds the API key)', () => {
		const secret = 'sk-very-secret';
		const axiosLike = Object.assign(new Error('Request failed'), {
			code: 'ECONNRESET',
			config: { headers: { 'x-api-key': secret } },
		});
		const error = toTransportError({ message: 'wrapper', cause: axiosLike });
		expect(JSON.stringify(error) + error.message + String(error.stack)).not.toContain(secret);
	});
});

describe('error mapping', () => {
	it('turns an API failure into a NodeApiError with our message, code and request id', () => {
		const failure = new SegmindFailure('failed', 'Segmind job abc failed: Boom at step 3', {
			httpCode: 422,
			requestId: 'abc',
			body: { status: 'FAILED', error: 'Boom at step 3' },
			description: 'details',
		});
		const error = toNodeError(node, failure, 3);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Segmind job abc failed: Boom at step 3');
		expect((error as NodeApiError).httpCode).toBe('422');
		expect(error.context).toMatchObject({ itemIndex: 3, request_id: 'abc', server_error: 'Boom at step 3' });
		expect(errorItemJson(error)).toEqual({
			error: 'Segmind job abc failed: Boom at step 3',
			description: 'details Request ID: abc.',
			httpCode: '422',
			request_id: 'abc',
		});
	});

	it('keeps messages n8n would otherwise rewrite (it replaces texts containing error codes)', () => {
		const failure = new SegmindFailure('network', 'Could not reach Segmind while checking the job status: no answer arrived in time', {
			requestId: 'r1',
		});
		const error = toNodeError(node, failure, 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe(failure.message);
	});

	it('turns bad input into a NodeOperationError that says nothing was sent', () => {
		const error = toNodeError(node, new ValidationFailure('"Seed"', 'must be a whole number', 1.5), 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Invalid "Seed": 1.5 must be a whole number');
		expect(error.description).toContain('Nothing was sent to Segmind');
	});
});

describe('helpers', () => {
	it('runs at most `limit` workers at once and keeps results in input order', async () => {
		let active = 0;
		let peak = 0;
		const results = await mapWithConcurrency([30, 10, 20, 5, 15, 1], 2, async (ms, i) => {
			active++;
			peak = Math.max(peak, active);
			await new Promise((r) => setTimeout(r, ms));
			active--;
			return i;
		});
		expect(results).toEqual([0, 1, 2, 3, 4, 5]);
		expect(peak).toBe(2);
	});

	it('recognises images by their bytes, not their name', () => {
		expect(detectImageType(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))?.mimeType).toBe('image/png');
		expect(detectImageType(Buffer.from('ffd8ffe000104a464946', 'hex'))?.mimeType).toBe('image/jpeg');
		expect(detectImageType(Buffer.from('%PDF-1.7 ...'))).toBeUndefined();
	});
});
