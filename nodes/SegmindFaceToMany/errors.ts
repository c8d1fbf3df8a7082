import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { guidanceFor } from './guidance';
import { ExecutionCancelledError } from './helpers/abort';
import { SegmindFailure, serverErrorText, type FailureKind } from './errors/failures';
import { ValidationFailure } from './validation';

/**
 * Failures whose server text can be the model's reason (a FAILED job, a refused request, or an
 * error answer that passes the model's exception on): these get plain advice when the text is known.
 */
const GUIDED_KINDS: FailureKind[] = ['failed', 'rejected', 'http', 'server'];

/**
 * Turn anything a Segmind call threw into the n8n error users see.
 * Only fields we build ourselves are passed on: never an HTTP library error, whose
 * request config carries the x-api-key header.
 */
export function toNodeError(node: INode, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof ValidationFailure) {
		return new NodeOperationError(node, error.message, {
			itemIndex,
			description: 'Nothing was sent to Segmind. Fix the value (or the expression that produces it) and run again.',
		});
	}
	if (error instanceof ExecutionCancelledError) {
		return new NodeOperationError(node, error.message, { itemIndex });
	}
	if (error instanceof SegmindFailure) {
		const context: JsonObject = {};
		if (error.requestId) context.request_id = error.requestId;
		const serverText = serverErrorText(error.body);
		if (serverText) context.server_error = serverText;
		// Known model/Segmind texts: plain advice first, the usual description after; the message keeps
		// the server's text and the request id. Unknown texts: no change.
		const guidance = GUIDED_KINDS.includes(error.kind) ? guidanceFor(serverText ?? error.message) : undefined;
		if (guidance) context.failure_reason = guidance.topic;
		const description = [guidance?.advice, error.description].filter(Boolean).join(' ') || undefined;
		if (error.httpCode !== undefined) {
			const apiError = new NodeApiError(node, { ...context, httpCode: String(error.httpCode) }, {
				message: error.message,
				description,
				httpCode: String(error.httpCode),
				itemIndex,
			});
			Object.assign(apiError.context, context);
			return apiError;
		}
		const operationError = new NodeOperationError(node, error.message, {
			itemIndex,
			description,
		});
		Object.assign(operationError.context, context);
		return operationError;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, message, { itemIndex });
}

/** The JSON an item carries under Continue On Fail. */
export function errorItemJson(error: NodeApiError | NodeOperationError): JsonObject {
	const json: JsonObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	const requestId = error.context.request_id;
	if (typeof requestId === 'string') json.request_id = requestId;
	// The failure's topic (noFace, multipleFaces, badImage, contentBlocked, loraRejected) when known,
	// so a workflow can route on it (e.g. an IF node on {{ $json.reason }}).
	const reason = error.context.failure_reason;
	if (typeof reason === 'string') json.reason = reason;
	return json;
}

/**
 * The JSON an item carries to the error output ("Continue (using error output)"). n8n routes an
 * item there only when its JSON keys are among `error`, `message` and `details` (an item `error`
 * object would route it too, but n8n then cuts the JSON down to the message, losing request_id),
 * so the other fields go under `details`. n8n adds the input item's fields next to them.
 */
export function errorOutputJson(error: NodeApiError | NodeOperationError): JsonObject {
	const { error: message, ...details } = errorItemJson(error);
	return Object.keys(details).length ? { error: message, details } : { error: message };
}
