import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { router } from './actions/router';
import { nodeProperties } from './description';

export class SegmindFaceToMany implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Segmind Face to Many',
		name: 'segmindFaceToMany',
		icon: { light: 'file:segmind.svg', dark: 'file:segmind.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "getCredits" ? "Get Credits" : $parameter["operation"] === "getResult" ? "Get Result" : "Style: " + $parameter["style"]}}',
		// Also what an AI Agent reads about the tool (n8n's automatic tool description), so it names
		// the input and the exact style values, and what the tool answers.
		description:
			'Turn a photo of a face (image URL or file) into 3D, Clay, Emoji, Pixels, Toy or Video game art with Segmind; as an AI tool it answers with the image URL',
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
		properties: nodeProperties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
