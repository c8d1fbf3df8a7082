import { NodeApiError, NodeOperationError, type INode, type JsonObject } from 'n8n-workflow';

import { ExecutionCancelledError } from '../helpers/abort';
import { ValidationFailure } from '../helpers/parameters';
import { redactor, SegmindFailure, serverErrorText, type FailureKind } from './failures';
import { guidanceFor } from './guidance';
import { failureText } from './messages';

/**
 * Failures whose server text can be the model's reason (a FAILED job, a refused request, or an
 * error answer that passes the model's exception on): these get plain advice when the text is known.
 */
const GUIDED_KINDS: FailureKind[] = ['failed', 'rejected', 'http', 'server'];

export interface ErrorContext {
	/** How many items the run has: in a batch, the title names the item ("item 3 of 8"). */
	batchSize?: number;
	/** Values that must never appear in the error (the API key): replaced wherever they occur. */
	secrets?: string[];
}

/**
 * Turn anything an item threw into the n8n error users see: a short title saying what happened,
 * then what to do, the request ID and the server's words in the description.
 * Only fields we build ourselves are passed on: never an HTTP library error, whose request
 * config carries the x-api-key header.
 */
export function toNodeError(
	node: INode,
	error: unknown,
	itemIndex: number,
	{ batchSize = 1, secrets = [] }: ErrorContext = {},
): NodeApiError | NodeOperationError {
	const clean = redactor(secrets);
	const title = (text: string) => clean(batchSize > 1 ? `${text} (item ${itemIndex + 1} of ${batchSize})` : text);
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	if (error instanceof ValidationFailure) {
		return new NodeOperationError(node, title(error.message), {
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
		if (serverText) context.server_error = clean(serverText);
		const text = failureText(error);
		// Known model/Segmind texts: the plain title and advice replace the generic ones, and the
		// server's own words follow. Unknown texts: the failure's own title and description.
		const guidance = GUIDED_KINDS.includes(error.kind) ? guidanceFor(serverText ?? text.message) : undefined;
		if (guidance) context.failure_reason = guidance.topic;
		const parts = guidance
			? [guidance.advice, serverText ? `Segmind said: "${serverText}".` : '']
			: [text.description];
		if (error.requestId && !parts.some((part) => part.includes(error.requestId as string))) {
			parts.push(`Request ID: ${error.requestId}.`);
		}
		const description = clean(parts.filter(Boolean).join(' ')) || undefined;
		const message = title(guidance?.title ?? text.message);
		if (error.httpCode !== undefined) {
			const apiError = new NodeApiError(node, { ...context, httpCode: String(error.httpCode) }, {
				message,
				description,
				httpCode: String(error.httpCode),
				itemIndex,
			});
			Object.assign(apiError.context, context);
			return apiError;
		}
		const operationError = new NodeOperationError(node, message, { itemIndex, description });
		Object.assign(operationError.context, context);
		return operationError;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new NodeOperationError(node, title(message), { itemIndex });
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
