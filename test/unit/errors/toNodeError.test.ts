import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { errorItemJson, toNodeError } from '../../../nodes/SegmindFaceToMany/errors/toNodeError';
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
