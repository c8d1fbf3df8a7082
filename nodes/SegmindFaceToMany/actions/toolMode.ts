import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { errorItemJson } from '../errors/toNodeError';
import { reportedJobMs } from './job';
import type { RunOptions } from './runOptions';

/*
 * The node as an AI Agent tool.
 *
 * n8n turns a `usableAsTool` node into a `<name>Tool` node type (same class and execute(),
 * description renamed, output `ai_tool`), and an agent runs it with one input item holding the
 * tool call's arguments. Only the items' `json` goes back to the agent, stringified
 * (n8n-core `makeHandleToolInvocation` / `mapResult`, or `buildSteps` for engine requests);
 * binary is dropped. So in tool mode the node fetches no image at all and answers with a few
 * short fields the model can use, the image's URL first among them. Outside tool mode nothing
 * here runs. See README, "As an AI Agent tool".
 */

/** Whether n8n runs this node as an agent's tool: its node type is the `…Tool` variant. */
export function isToolMode(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/** Run options in tool mode: the image is never downloaded (the agent gets its URL). */
export function toolRunOptions(options: RunOptions): RunOptions {
	return { ...options, output: 'url' };
}

/**
 * Whether a failed tool call answers the agent with a short error (true) or fails the run.
 * Like n8n's own engine for tools: only an explicit "On Error: Stop Workflow" stops it.
 */
export function toolAnswersErrors(node: INode): boolean {
	return node.onError !== 'stopWorkflow';
}

const MAX_TEXT = 400;

function clip<T>(value: T): T | string {
	return typeof value === 'string' && value.length > MAX_TEXT ? `${value.slice(0, MAX_TEXT - 1)}…` : value;
}

function num(value: unknown): number | undefined {
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The job's time from Segmind's metrics, else the time this call took, in seconds (2 decimals). */
function seconds(metrics: IDataObject, elapsedMs: number): number {
	return Math.round((reportedJobMs(metrics) ?? elapsedMs) / 10) / 100;
}

/**
 * What the agent gets for a finished item: for an image, `status`, `request_id`, `style`,
 * `output_url`, `seconds`, `cost` (and `remaining_credits` when Segmind reports it); any other
 * answer (Submit, Get Credits, a pending Get Result) is already short and passes as is.
 * Never binary, never image bytes.
 */
export function toolAnswer(item: INodeExecutionData, elapsedMs: number): INodeExecutionData {
	const json = item.json;
	const isImage = item.binary !== undefined || typeof json.output_url === 'string' || json.status === 'COMPLETED';
	if (!isImage) return { json };
	const metrics = (json.metrics ?? {}) as IDataObject;
	const answer: IDataObject = { status: json.status ?? 'COMPLETED', request_id: json.request_id };
	if (json.style !== undefined && json.style !== null) answer.style = json.style;
	if (typeof json.output_url === 'string') answer.output_url = json.output_url;
	else answer.note = 'This operation returns no image URL; use the Generate operation for the tool';
	answer.seconds = seconds(metrics, elapsedMs);
	if (num(metrics.cost) !== undefined) answer.cost = metrics.cost;
	if (num(metrics.remaining_credits) !== undefined) answer.remaining_credits = metrics.remaining_credits;
	return { json: answer };
}

/** A failed call as the agent sees it: the message, what to do, and the request id (all short). */
export function toolError(error: NodeApiError | NodeOperationError): IDataObject {
	const json = errorItemJson(error) as IDataObject;
	for (const key of Object.keys(json)) json[key] = clip(json[key]);
	return json;
}
