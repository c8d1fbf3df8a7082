/**
 * The `…Tool` twin n8n makes of a `usableAsTool` node, built the way n8n's CLI builds it
 * (`NodeTypes.getByNameAndVersion` + `convertNodeToAiTool`): the same node object with a copied
 * description renamed `…Tool` (which is what `@tool` display conditions read), no inputs, one
 * `ai_tool` output and the Tool Description fields. No engine needed: unit tests use it too.
 */
import type { INodeProperties, INodeType, INodeTypeDescription } from 'n8n-workflow';

/** n8n CLI's convertNodeToAiTool, applied to a copy (packages/cli/src/tool-generation). */
export function toToolVariant(base: INodeType): INodeType {
	const description = base.description;
	const hasOperation = description.properties.some((p) => p.name === 'operation' || p.name === 'resource');
	const toolDescription: INodeProperties = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: description.description,
		required: true,
		typeOptions: { rows: 2 },
		description: 'Explain to the LLM what this tool does',
		...(hasOperation ? { displayOptions: { show: { descriptionType: ['manual'] } } } : {}),
	};
	const descriptionType: INodeProperties = {
		displayName: 'Tool Description',
		name: 'descriptionType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Set Automatically', value: 'auto' },
			{ name: 'Set Manually', value: 'manual' },
		],
		default: 'auto',
	};
	const toolDescriptionProps = hasOperation ? [descriptionType, toolDescription] : [toolDescription];
	const converted: INodeTypeDescription = {
		...description,
		name: `${description.name}Tool`,
		displayName: `${description.displayName} Tool`,
		inputs: [],
		outputs: ['ai_tool'],
		properties: [...toolDescriptionProps, ...description.properties],
	};
	delete converted.usableAsTool;
	return Object.create(base, { description: { value: converted } }) as INodeType;
}

