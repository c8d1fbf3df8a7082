/**
 * Runs the BUILT node as an AI Agent tool inside n8n's engine, along both paths n8n uses:
 *
 * - "supplyData" path (AI Agent node up to v2, MCP Server Trigger): the agent calls
 *   `this.getInputConnectionData('ai_tool', 0)`; n8n-core turns each connected `…Tool` node into a
 *   LangChain DynamicStructuredTool (`createNodeAsTool`, schema from the node's `$fromAI()` calls)
 *   whose `invoke(args)` runs the node's execute() with one input item `{ json: args }` and answers
 *   `JSON.stringify(items.map(i => i.json))` (`makeHandleToolInvocation` / `mapResult`).
 * - "engine request" path (AI Agent v3 on n8n 2.x): the agent's execute() returns
 *   `{ actions: [{ nodeName, input, type: 'ai_tool', … }] }`; WorkflowExecute runs the tool node as a
 *   normal node (`handleRequest`), logs its output under `ai_tool`, and re-runs the agent with the
 *   results, which the agent stringifies the same way (n8n-nodes-langchain `buildSteps`).
 *
 * The tool node type is built like n8n's CLI builds it (`NodeTypes.getByNameAndVersion` +
 * `convertNodeToAiTool`): the same node object with a copied description renamed `…Tool`,
 * no inputs, one `ai_tool` output and the Tool Description fields. The two agents are test-only
 * stand-ins for `@n8n/n8n-nodes-langchain.agent`: no model, they call the tool once with fixed
 * arguments (what a model would send) and output what the model would read.
 */
import * as path from 'path';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type {
	EngineRequest,
	EngineResponse,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { NODE_TYPE, registerNodeType } from './n8n-engine';
import { toToolVariant } from './tool-variant';

export { toToolVariant };

export const TOOL_NODE_TYPE = `${NODE_TYPE}Tool`;
export const SUPPLY_DATA_AGENT = 'test.supplyDataAgent';
export const ENGINE_AGENT = 'test.engineRequestAgent';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SegmindFaceToMany } = require(path.resolve(__dirname, '../../dist/nodes/SegmindFaceToMany/SegmindFaceToMany.node.js'));

const agentDescription = (name: string): INodeTypeDescription =>
	({
		displayName: name,
		name,
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name },
		inputs: ['main', { type: 'ai_tool', displayName: 'Tool', required: true }],
		outputs: ['main'],
		properties: [
			{ displayName: 'Tool Arguments', name: 'toolArgs', type: 'json', default: '{}' },
			{ displayName: 'Tool Node', name: 'toolNode', type: 'string', default: '' },
		],
	}) as unknown as INodeTypeDescription;

function toolArgs(ctx: IExecuteFunctions): IDataObject {
	const raw = ctx.getNodeParameter('toolArgs', 0) as string | IDataObject;
	return typeof raw === 'string' ? (JSON.parse(raw) as IDataObject) : raw;
}

/** Agent v1/v2 style: get the tools from n8n-core and invoke the first one. */
class SupplyDataAgent implements INodeType {
	description = agentDescription('Supply Data Agent');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connected = (await this.getInputConnectionData('ai_tool', 0)) as StructuredToolInterface[] | StructuredToolInterface;
		const tools = Array.isArray(connected) ? connected : [connected];
		const tool = tools[0];
		let answer: unknown;
		let thrown: string | undefined;
		try {
			answer = await tool.invoke(toolArgs(this));
		} catch (error) {
			thrown = (error as Error).message;
		}
		const schema = tool.schema as { shape?: Record<string, { description?: string; isOptional?: () => boolean }> };
		return [
			[
				{
					json: {
						tool_count: tools.length,
						tool_name: tool.name,
						tool_description: tool.description,
						tool_fields: Object.fromEntries(
							Object.entries(schema.shape ?? {}).map(([key, field]) => [
								key,
								{ description: field.description ?? '', optional: field.isOptional?.() ?? false },
							]),
						),
						answer: answer as string,
						...(thrown !== undefined ? { thrown } : {}),
					},
				},
			],
		];
	}
}

/** Agent v3 style: ask the engine to run the tool node, then read its `ai_tool` output. */
class EngineRequestAgent implements INodeType {
	description = agentDescription('Engine Request Agent');

	async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
		const done = response?.actionResponses?.[0];
		if (!done) {
			return {
				actions: [
					{
						actionType: 'ExecutionNodeAction',
						nodeName: this.getNodeParameter('toolNode', 0) as string,
						input: toolArgs(this),
						type: 'ai_tool',
						id: 'call_test_1',
						metadata: { itemIndex: 0 },
					},
				],
				metadata: {},
			} as unknown as EngineRequest;
		}
		// What n8n-nodes-langchain's buildSteps/buildObservation hands the model.
		const items = (done.data.data?.ai_tool?.[0] ?? []) as INodeExecutionData[];
		const answer = items.length
			? JSON.stringify(items.map((item) => item?.json))
			: JSON.stringify(done.data.error ? { error: done.data.error.message } : '');
		return [[{ json: { answer, tool_output_has_binary: items.some((item) => item?.binary !== undefined) } }]];
	}
}

let registered = false;
/** Register the `…Tool` variant of the node and the two test agents (once per test file). */
export function registerAgentToolTypes(): void {
	if (registered) return;
	registered = true;
	registerNodeType(TOOL_NODE_TYPE, toToolVariant(new SegmindFaceToMany()));
	registerNodeType(SUPPLY_DATA_AGENT, new SupplyDataAgent());
	registerNodeType(ENGINE_AGENT, new EngineRequestAgent() as unknown as INodeType);
}
