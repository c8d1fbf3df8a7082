import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_IMAGE_URL, MAX_SEED } from './constants';

// Defaults are literals (n8n's lint reads them); test/unit/description.test.ts checks they match DEFAULTS.

export type Operation = 'generate' | 'submit' | 'getResult' | 'generateSync' | 'getCredits';

/** Operations that send a face-to-many job and so need the image and model fields. */
const JOB_OPERATIONS: Operation[] = ['generate', 'submit', 'generateSync'];
/** Operations that end with an image. */
const IMAGE_OPERATIONS: Operation[] = ['generate', 'getResult', 'generateSync'];
/** Operations whose image can be returned as a link instead (v1 answers with the bytes, so not Generate (Sync)). */
const OUTPUT_OPERATIONS: Operation[] = ['generate', 'getResult'];
/** Operations that wait on the async queue. */
const POLLING_OPERATIONS: Operation[] = ['generate', 'getResult'];

const forJobs = { show: { operation: JOB_OPERATIONS } };

const unitRange = { minValue: 0, maxValue: 1, numberPrecision: 2 };

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'generate',
	options: [
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate a stylised image from a face',
			description: 'Submit a job, wait for it and download the image (async v2 API)',
		},
		{
			name: 'Generate (Sync, V1)',
			value: 'generateSync',
			action: 'Generate a stylised image synchronously',
			description:
				'One request that answers with the image itself; Segmind keeps this v1 API in maintenance mode, prefer Generate',
		},
		{
			name: 'Get Credits',
			value: 'getCredits',
			action: 'Get the account credit balance',
			description: 'Return the remaining Segmind credits (free to call)',
		},
		{
			name: 'Get Result',
			value: 'getResult',
			action: 'Get the result of a submitted job',
			description: 'Check a job by request ID and download its image when it is completed',
		},
		{
			name: 'Submit',
			value: 'submit',
			action: 'Submit a job without waiting',
			description: 'Queue a job and return its request ID at once, for long queues handled later',
		},
	],
};

export const imageFields: INodeProperties[] = [
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		default: 'url',
		displayOptions: forJobs,
		options: [
			{ name: 'URL', value: 'url', description: 'A public http(s) link to the face photo' },
			{
				name: 'Binary Property',
				value: 'binary',
				description: 'A file from the incoming item, uploaded to Segmind storage first',
			},
		],
		description: 'Where the face photo comes from',
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: DEFAULT_IMAGE_URL,
		required: true,
		displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['url'] } },
		placeholder: 'https://example.com/face.jpg',
		description:
			'Public http(s) URL of a photo that shows one person\'s face clearly, e.g. https://example.com/face.jpg (not a web page, not a data: URL)',
	},
	{
		displayName: 'Input Binary Property',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['binary'] } },
		description: 'Name of the incoming binary property that holds the face photo (JPEG, PNG or WebP)',
	},
];

export const modelFields: INodeProperties[] = [
	{
		displayName: 'Style',
		name: 'style',
		type: 'options',
		default: '3D',
		displayOptions: forJobs,
		// Sorted by name as n8n's lint asks; values are the API's exact strings.
		options: [
			{ name: '3D', value: '3D' },
			{ name: 'Clay', value: 'Clay' },
			{ name: 'Emoji', value: 'Emoji' },
			{ name: 'Pixels', value: 'Pixels' },
			{ name: 'Toy', value: 'Toy' },
			{ name: 'Video Game', value: 'Video game' },
		],
		description: 'The art style to turn the face into: one of 3D, Clay, Emoji, Pixels, Toy or Video game, written exactly like that',
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		default: 'a person',
		displayOptions: forJobs,
		description: 'Optional short text of what to draw, e.g. "a person" (the default) or "a smiling astronaut"',
	},
	{
		displayName: 'Negative Prompt',
		name: 'negativePrompt',
		type: 'string',
		default: '',
		displayOptions: forJobs,
		description: 'Things you do not want in the image',
	},
	{
		displayName: 'Seed',
		name: 'seed',
		type: 'number',
		default: -1,
		displayOptions: forJobs,
		typeOptions: { minValue: -1, maxValue: MAX_SEED, numberPrecision: 0 },
		description: `Fix the random seed for reproducible images; -1 picks a random seed (0 to ${MAX_SEED})`,
	},
	{
		displayName: 'LoRA Scale',
		name: 'loraScale',
		type: 'number',
		default: 1,
		displayOptions: forJobs,
		typeOptions: unitRange,
		description: 'How strong the style LoRA is (0 to 1)',
	},
	{
		displayName: 'Prompt Strength (CFG)',
		name: 'promptStrength',
		type: 'number',
		default: 4.5,
		displayOptions: forJobs,
		typeOptions: { minValue: 0, maxValue: 20, numberPrecision: 1 },
		description: 'CFG scale (0 to 20): higher follows the prompt more, lower keeps more likeness',
	},
	{
		displayName: 'Denoising Strength',
		name: 'denoisingStrength',
		type: 'number',
		default: 0.65,
		displayOptions: forJobs,
		typeOptions: unitRange,
		description: 'How much of the original image to replace (0 keeps it, 1 replaces it entirely)',
	},
	{
		displayName: 'InstantID Strength',
		name: 'instantIdStrength',
		type: 'number',
		default: 1,
		displayOptions: forJobs,
		typeOptions: unitRange,
		description: 'How strongly the face identity is kept (0 to 1)',
	},
	{
		displayName: 'Depth ControlNet Strength',
		name: 'controlDepthStrength',
		type: 'number',
		default: 0.8,
		displayOptions: forJobs,
		typeOptions: unitRange,
		description: 'How much the depth map of the photo shapes the output (0 to 1)',
	},
	{
		displayName: 'Custom LoRA URL',
		name: 'customLoraUrl',
		type: 'string',
		default: '',
		displayOptions: forJobs,
		placeholder: 'https://replicate.delivery/pbxt/…/trained_model.tar',
		description:
			'Optional Replicate LoRA (https://replicate.delivery/pbxt/…/trained_model.tar or https://pbxt.replicate.delivery/…/trained_model.tar); left empty, it is not sent',
	},
];

export const getResultFields: INodeProperties[] = [
	{
		displayName: 'Request ID or Status URL',
		name: 'requestId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { operation: ['getResult'] } },
		placeholder: '2c7f59ea-13f1-402c-9353-915a2b5a2124',
		description: 'The request_id (or status_url) that Submit returned or a timeout error named',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		displayOptions: { show: { operation: ['getResult'] } },
		description: 'Whether to poll until the job is done; off returns the current status at once',
	},
];

export const optionsField: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { hide: { operation: ['getCredits'] } },
	options: [
		{
			displayName: 'Binary Output Property',
			name: 'binaryPropertyOutput',
			type: 'string',
			default: 'data',
			displayOptions: { show: { '/operation': IMAGE_OPERATIONS } },
			description: 'Name of the binary property the image is written to',
		},
		{
			displayName: 'Check Credits First',
			name: 'checkCreditsFirst',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/operation': JOB_OPERATIONS } },
			description:
				'Whether to read the credit balance once before sending anything, and stop at once when it is zero or below Minimum Credits',
		},
		{
			// Replaced by "Output"; kept so saved workflows with it off still return only the URL.
			// Shown only while it is off (n8n drops hidden options on load), so new nodes never offer it.
			displayName: 'Download Image (Deprecated)',
			name: 'downloadImage',
			type: 'boolean',
			default: true,
			displayOptions: { show: { '/operation': OUTPUT_OPERATIONS, downloadImage: [false] } },
			description: 'Whether to download the image; replaced by "Output" (off means URL Only)',
		},
		{
			displayName: 'Expected Job Time (Seconds)',
			name: 'expectedJobSeconds',
			type: 'number',
			default: 22,
			displayOptions: { show: { '/operation': POLLING_OPERATIONS } },
			typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 1 },
			description:
				'How long a job usually takes at Segmind (face-to-many: about 22 s); Adaptive polling plans its first checks from it until it has measured jobs on this API key',
		},
		{
			displayName: 'Max Image Size (MB)',
			name: 'maxImageSizeMb',
			type: 'number',
			default: 50,
			displayOptions: { show: { '/operation': IMAGE_OPERATIONS } },
			typeOptions: { minValue: 1, maxValue: 500 },
			description: 'Largest output image accepted; a bigger download fails the item',
		},
		{
			displayName: 'Max Input Image Size (MB)',
			name: 'maxInputImageSizeMb',
			type: 'number',
			default: 10,
			displayOptions: { show: { '/operation': JOB_OPERATIONS, '/imageSource': ['binary'] } },
			typeOptions: { minValue: 0.1, maxValue: 50, numberPrecision: 1 },
			description: 'Largest input photo accepted; a bigger file fails before anything is uploaded or sent',
		},
		{
			displayName: 'Max Jobs in Flight',
			name: 'maxConcurrency',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			description:
				'Most items whose job runs at Segmind at the same time; 0 means no cap: every job is submitted as fast as the rate limit allows (Generate (Sync, V1): 5 at a time)',
		},
		{
			displayName: 'Max Requests per Minute',
			name: 'maxRequestsPerMinute',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			description:
				'Cap on API requests per minute for the whole run (Segmind: Free 5, Pro 50); 0 means no cap: the node learns the limit from the first 429 and then paces itself',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: 4,
			typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
			description: 'How often a rate-limited (429) or server-error (5xx) request is retried, with growing waits',
		},
		{
			displayName: 'Minimum Credits',
			name: 'minimumCredits',
			type: 'number',
			default: 0,
			displayOptions: { show: { '/operation': JOB_OPERATIONS, checkCreditsFirst: [true] } },
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description: 'Stop before sending anything when the balance (credits plus free credits) is below this; 0 stops only at zero',
		},
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'binary',
			displayOptions: { show: { '/operation': OUTPUT_OPERATIONS } },
			options: [
				{
					name: 'Binary',
					value: 'binary',
					description: 'Download the image into n8n binary data, with its metadata as JSON (no expiring link)',
				},
				{
					name: 'Both',
					value: 'both',
					description: 'The image as binary data and its output_url (the link expires after 7 days)',
				},
				{
					name: 'URL Only',
					value: 'url',
					description: 'No download: only output_url, for passing the link on (it expires after 7 days)',
				},
			],
			description: 'What the node returns for a finished job',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: 1,
			displayOptions: { show: { '/operation': POLLING_OPERATIONS } },
			typeOptions: { minValue: 0.1, maxValue: 60, numberPrecision: 1 },
			description:
				'Time between status checks with Fixed Interval polling; with Adaptive polling the shortest such time, which the whole schedule scales with',
		},
		{
			displayName: 'Polling',
			name: 'pollingMode',
			type: 'options',
			default: 'adaptive',
			displayOptions: { show: { '/operation': POLLING_OPERATIONS } },
			options: [
				{
					name: 'Adaptive',
					value: 'adaptive',
					description:
						'Check when the job is likely done (from Expected Job Time, then from measured jobs), then at growing intervals: few requests per job',
				},
				{
					name: 'Fixed Interval',
					value: 'fixed',
					description: 'Check every poll interval, like Segmind\'s SDK',
				},
			],
			description: 'When to check whether a job is done',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: 600,
			typeOptions: { minValue: 1, maxValue: 3600 },
			description: 'How long to wait for a job before failing with its request ID',
		},
	],
};

export const nodeProperties: INodeProperties[] = [
	operationField,
	...imageFields,
	...modelFields,
	...getResultFields,
	optionsField,
];
