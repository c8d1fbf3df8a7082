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
		icon: 'file:segmind.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "getCredits" ? "Get Credits" : $parameter["operation"] === "getResult" ? "Get Result" : "Style: " + $parameter["style"]}}',
		description: 'Turn a photo of a face into 3D, Emoji, Video game, Pixels, Clay or Toy art with Segmind',
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
