import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL } from '../nodes/SegmindFaceToMany/constants';

export class SegmindApi implements ICredentialType {
	name = 'segmindApi';

	displayName = 'Segmind API';

	// This node's own guide to the credential (where to get a key, what each field is for).
	documentationUrl = 'https://github.com/segmind/n8n-nodes-segmind-face-to-many#credentials';

	icon = { light: 'file:segmind.svg', dark: 'file:segmind.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your Segmind API key, from the API Keys page of your Segmind console',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			description: 'Where the Segmind API is served; change it only for a proxy or a test server',
		},
		{
			displayName: 'Upload Base URL',
			name: 'uploadBaseUrl',
			type: 'string',
			default: DEFAULT_UPLOAD_BASE_URL,
			description:
				'Where binary input images are uploaded before a job; change it only for a proxy or a test server',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'x-api-key': '={{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v1/get-user-credits',
			method: 'GET',
		},
	};
}
