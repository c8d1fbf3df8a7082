import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorItemJson, toNodeError } from '../../../nodes/SegmindFaceToMany/errors/toNodeError';
import { guidanceFor } from '../../../nodes/SegmindFaceToMany/errors/guidance';
import { SegmindFailure } from '../../../nodes/SegmindFaceToMany/errors/failures';
import { ValidationFailure } from '../../../nodes/SegmindFaceToMany/helpers/parameters';

const node: INode = {
	id: '1',
	name: 'Segmind Face to Many',
	type: 'n8n-nodes-segmind-face-to-many.segmindFaceToMany',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('error mapping', () => {
	it('keeps messages n8n would otherwise rewrite (it replaces texts containing error codes)', () => {
		const failure = new SegmindFailure(
			{ problem: 'unreachable', step: 'status', cause: 'no answer arrived in time', baseUrl: 'https://api.segmind.com' },
			{ requestId: 'r1' },
		);
		const error = toNodeError(node, failure, 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Could not reach Segmind while checking the job status: no answer arrived in time');
	});

	it('turns bad input into a NodeOperationError that says nothing was sent', () => {
		const error = toNodeError(node, new ValidationFailure('"Seed"', 'must be a whole number', 1.5), 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Invalid "Seed": 1.5 must be a whole number');
		expect(error.description).toContain('Nothing was sent to Segmind');
	});
});

describe('toNodeError shows the advice', () => {
	const FAILED =
		'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.';
	const failed = (text: string) =>
		new SegmindFailure(
			{ problem: 'jobFailed', reason: text },
			{ httpCode: 422, requestId: 'abc-123', body: { status: 'FAILED', error: text, request_id: 'abc-123' } },
		);

	test('a known FAILED text: a plain title, the advice once, then the server\'s words and the request id', () => {
		const error = toNodeError(node, failed('Exception: Reference Image: No face detected.'), 2);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toBe('Segmind found no face in the photo');
		expect(error.description).toBe(
			`${guidanceFor('No face detected')!.advice} Segmind said: "Exception: Reference Image: No face detected.". Request ID: abc-123.`,
		);
		// The generic sentence is not repeated after the advice.
		expect(error.description).not.toContain('reported FAILED');
		expect(error.context).toMatchObject({
			itemIndex: 2,
			request_id: 'abc-123',
			server_error: 'Exception: Reference Image: No face detected.',
			failure_reason: 'noFace',
		});
		expect(errorItemJson(error)).toEqual({
			error: 'Segmind found no face in the photo',
			description: error.description,
			httpCode: '422',
			request_id: 'abc-123',
			reason: 'noFace',
		});
	});

	test('in a batch, the title names the item (1-based, of how many)', () => {
		const error = toNodeError(node, failed('Exception: Reference Image: No face detected.'), 2, { batchSize: 8 });
		expect(error.message).toBe('Segmind found no face in the photo (item 3 of 8)');
	});

	test('an unknown FAILED text: the failure\'s own title and description, with the request id', () => {
		const error = toNodeError(node, failed('CUDA out of memory'), 0);
		expect(error.message).toBe('The Segmind job failed: CUDA out of memory');
		expect(error.description).toBe(`${FAILED} Request ID: abc-123.`);
		expect(error.context.failure_reason).toBeUndefined();
		expect(errorItemJson(error)).toEqual({
			error: 'The Segmind job failed: CUDA out of memory',
			description: `${FAILED} Request ID: abc-123.`,
			httpCode: '422',
			request_id: 'abc-123',
		});
	});

	test('a refused request (v1 sync 422) carrying a known text gets the plain title and advice', () => {
		const said = 'Custom LoRA URL format is not supported.';
		const failure = new SegmindFailure({ problem: 'httpError', step: 'run', status: 422, said, maxRetries: 4 }, { body: { error: said } });
		const error = toNodeError(node, failure, 0);
		expect(error.message).toBe('Segmind could not use the Custom LoRA URL');
		expect(error.description).toBe(
			`${guidanceFor('Custom LoRA URL format is not supported.')!.advice} Segmind said: "Custom LoRA URL format is not supported.".`,
		);
		expect(errorItemJson(error).reason).toBe('loraRejected');
	});

	test('the server text is read from the failure\'s words when the body has none', () => {
		const failure = new SegmindFailure({ problem: 'jobFailed', reason: 'NSFW content detected' }, { requestId: 'j1' });
		const error = toNodeError(node, failure, 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe("Segmind's content filter blocked the job");
		expect(error.description).toBe(`${guidanceFor('NSFW')!.advice} Request ID: j1.`);
		expect(errorItemJson(error)).toMatchObject({ request_id: 'j1', reason: 'contentBlocked' });
	});

	test('failures that are not about the job (auth, credits) get no advice even if the text would match', () => {
		const said = 'Insufficient credits: NSFW models need a paid plan';
		const failure = new SegmindFailure({ problem: 'httpError', step: 'submit', status: 406, said, maxRetries: 4 }, { body: { error: said } });
		const error = toNodeError(node, failure, 0);
		expect(error.message).toBe('Insufficient Segmind credits to run this job (406)');
		expect(error.description).toBe(`Segmind says: "${said}" Top up your credits in the Segmind console, then run the workflow again.`);
		expect(errorItemJson(error).reason).toBeUndefined();
	});

	test('a failure of no HTTP answer (the credit check) is an operation error with its words', () => {
		const failure = new SegmindFailure({ problem: 'lowBalance', total: 0, credits: 0, freeCredits: 0, minimum: 0 });
		const error = toNodeError(node, failure, 0);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('Your Segmind credit balance is 0: no job was sent');
		expect(error.description).toContain('Top up your credits in the Segmind console');
	});

	test('a key the server echoed is replaced everywhere in the error', () => {
		const key = 'sk-echoed-key-1234567890';
		const said = `Invalid x-api-key ${key}`;
		const failure = new SegmindFailure(
			{ problem: 'httpError', step: 'submit', status: 400, said, maxRetries: 0 },
			{ requestId: 'r1', body: { error: said } },
		);
		const error = toNodeError(node, failure, 0, { secrets: [key] });
		const shown = JSON.stringify({ message: error.message, description: error.description, context: error.context });
		expect(shown).not.toContain(key);
		expect(shown).toContain('[redacted]');
		// Without the key to look for, it would have shown (the check above can fail).
		expect(JSON.stringify(toNodeError(node, failure, 0).context)).toContain(key);
	});
});
