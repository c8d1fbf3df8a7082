import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { imageFields } from './actions/inputImage';
import { jobSettingsFields, styleField } from './actions/jobInput';
import { operationsThat } from './actions/operationTraits';
import { operationField, operations, router } from './actions/router';
import { runOptionsFields } from './actions/runOptions';

/**
 * The canvas subtitle: the operation, and the style where a job is sent ("Generate Image: Clay").
 * It reads the style as written ($rawParameter: an expression is not run for a subtitle), so a
 * style the model picks reads "style by AI", one from an expression "style from expression".
 */
const styleAsWritten = `String($rawParameter["style"] || ${JSON.stringify(styleField.default)})`;
const subtitle =
	'={{ ' +
	JSON.stringify(Object.fromEntries(Object.values(operations).map((operation) => [operation.option.value, operation.option.name]))) +
	'[$parameter["operation"]] + (' +
	JSON.stringify(operationsThat('sendsJob')) +
	`.includes($parameter["operation"]) ? ": " + (!${styleAsWritten}.startsWith("=") ? ${styleAsWritten} : ${styleAsWritten}.includes("fromAI") ? "style by AI" : "style from expression") : "") }}`;

export class SegmindFaceToMany implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Segmind Face to Many',
		name: 'segmindFaceToMany',
		icon: { light: 'file:segmind.svg', dark: 'file:segmind.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle,
		// Also what an AI Agent reads about the tool (n8n's automatic tool description), so it names
		// the input and the exact style values, and what the tool answers.
		description:
			'Turn a photo of a face (image URL or file) into 3D, Clay, Emoji, Pixels, Toy or Video Game art with Segmind; as an AI tool it answers with the image URL',
		defaults: {
			name: 'Segmind Face to Many',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'segmindApi',
				required: true,
			},
		],
		properties: [
			operationField,
			...imageFields,
			...jobSettingsFields,
			...Object.values(operations).flatMap((operation) => operation.fields),
			...runOptionsFields,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
