import { FROM_AI_AUTO_GENERATED_MARKER, type IDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { MAX_SEED } from '../constants';

/*
 * The fields shared by several operations, each declared once: the panel shows these objects,
 * and helpers/parameters.ts derives from them what it reads (name, default), how it checks the
 * value (type, minValue/maxValue, options) and how an error names it (displayName).
 * Defaults are literals, as n8n's lint reads them.
 */

export type OperationName = 'generate' | 'submit' | 'getResult' | 'generateSync' | 'getCredits';

/** Operations that send a face-to-many job: they need the image and the model fields. */
export const JOB_OPERATIONS: OperationName[] = ['generate', 'submit', 'generateSync'];
/** Operations that end with an image. */
const IMAGE_OPERATIONS: OperationName[] = ['generate', 'getResult', 'generateSync'];
/** Operations whose image can also be returned as a link (the legacy sync call answers with bytes only). */
const LINK_OPERATIONS: OperationName[] = ['generate', 'getResult'];
/** Operations that wait on Segmind's queue. */
const POLLING_OPERATIONS: OperationName[] = ['generate', 'getResult'];

const forJobs = { show: { operation: JOB_OPERATIONS } };
/** Shown to people (the regular node): an agent's tool gets its own twin of the field, see forTools(). */
const forPeople = { '@tool': [false] };

/**
 * A field as an AI Agent's tool shows it: the same name, label and checks, but text whose default
 * is the value n8n's own ✨ button ("let the model define this parameter") writes: a marked
 * $fromAI() call under the key the button derives from the label, with the field's description as
 * what the model reads, and `fallback` (when given) making it optional for the model. So a tool
 * added fresh from an agent's Tool "+" works with nothing filled in, and the panel shows each of
 * these fields as "defined automatically by the model" (click to edit its description, or fix it).
 * Text, because n8n gives the ✨ button to no options field, and an options field draws a red
 * "not supported" for any value outside its list, which a model's words often are.
 */
function forTools(field: INodeProperties, show: IDisplayOptions['show'], fallback?: string): INodeProperties {
	const key = field.displayName.replace(/[^a-zA-Z0-9-]/g, '_');
	const args = [`'${key}'`, `\`${field.description}\``, "'string'", ...(fallback === undefined ? [] : [`'${fallback}'`])];
	const twin: INodeProperties = {
		...field,
		type: 'string',
		default: `={{ ${FROM_AI_AUTO_GENERATED_MARKER} $fromAI(${args.join(', ')}) }}`,
		displayOptions: { show: { ...show, '@tool': [true] } },
	};
	// Plain text: nothing of a pick list.
	delete twin.options;
	delete twin.allowArbitraryValues;
	return twin;
}

export const imageSourceField: INodeProperties = {
	displayName: 'Image Source',
	name: 'imageSource',
	type: 'options',
	default: 'url',
	// An agent has no file to give: in tool mode the photo is always a URL.
	displayOptions: { ...forJobs, hide: { '@tool': [true] } },
	options: [
		{ name: 'URL', value: 'url', description: 'A public link to the face photo' },
		{ name: 'Binary File', value: 'binary', description: 'A photo file from the incoming item, uploaded to Segmind first' },
	],
	description: 'Where the face photo comes from',
};

export const imageUrlField: INodeProperties = {
	displayName: 'Image URL',
	name: 'imageUrl',
	type: 'string',
	default: '',
	required: true,
	displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['url'], ...forPeople } },
	placeholder: 'e.g. https://example.com/face.jpg',
	description:
		"Public http(s) link to a photo of one person's face (JPEG, PNG or WebP; the image itself, not a web page)",
};

/** Image URL in an agent's tool: the model gives the photo's link (a tool has no file to give). */
export const toolImageUrlField = forTools(imageUrlField, { operation: JOB_OPERATIONS });

export const binaryPropertyNameField: INodeProperties = {
	displayName: 'Input Data Field Name',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['binary'] } },
	hint: 'The name of the input field holding the photo file (JPEG, PNG or WebP)',
	description: 'Name of the binary field of the incoming item that holds the face photo',
};

export const styleField: INodeProperties = {
	displayName: 'Style',
	name: 'style',
	type: 'options',
	default: '3D',
	displayOptions: { show: { ...forJobs.show, ...forPeople } },
	// The node takes any case and spacing ("video game", "VIDEO_GAME"): an expression giving one of
	// those must not draw the editor's red "The value … is not supported!".
	allowArbitraryValues: true,
	// Sorted by name as n8n's lint asks; the values are Segmind's exact strings.
	options: [
		{ name: '3D', value: '3D' },
		{ name: 'Clay', value: 'Clay' },
		{ name: 'Emoji', value: 'Emoji' },
		{ name: 'Pixels', value: 'Pixels' },
		{ name: 'Toy', value: 'Toy' },
		{ name: 'Video Game', value: 'Video game' },
	],
	description:
		'The art style: one of 3D, Clay, Emoji, Pixels, Toy or Video Game (any upper or lower case, e.g. "video game")',
};

/** Style in an agent's tool: the model names it in its own words, checked against the list above. */
export const toolStyleField = forTools(styleField, forJobs.show);

export const promptField: INodeProperties = {
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	default: 'a person',
	displayOptions: { show: { ...forJobs.show, ...forPeople } },
	description: 'Short text of what to draw, e.g. "a person" (the default) or "a smiling astronaut"',
};

/** Prompt in an agent's tool: optional for the model (its default when the model gives none). */
export const toolPromptField = forTools(promptField, forJobs.show, promptField.default as string);

/** Expert settings of the model, in one collection (alphabetical, as n8n's lint asks). */
export const modelOptionsField: INodeProperties = {
	displayName: 'Model Options',
	name: 'modelOptions',
	type: 'collection',
	placeholder: 'Add Model Option',
	default: {},
	displayOptions: forJobs,
	options: [
		{
			displayName: 'Custom LoRA URL',
			name: 'customLoraUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://replicate.delivery/pbxt/abc123/trained_model.tar',
			hint: 'A LoRA trained on Replicate (…/trained_model.tar); empty: the Style alone',
			description: 'Link to a Replicate-trained LoRA that replaces the style LoRA; left empty, it is not sent',
		},
		{
			displayName: 'Denoising Strength',
			name: 'denoisingStrength',
			type: 'number',
			default: 0.65,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			hint: '0 to 1 (default 0.65): 0 keeps the photo, 1 replaces it entirely',
			description: 'How much of the original image to replace',
		},
		{
			displayName: 'Depth ControlNet Strength',
			name: 'controlDepthStrength',
			type: 'number',
			default: 0.8,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			hint: '0 to 1 (default 0.8)',
			description: 'How much the depth map of the photo shapes the output',
		},
		{
			displayName: 'InstantID Strength',
			name: 'instantIdStrength',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			hint: '0 to 1 (default 1)',
			description: 'How strongly the face identity is kept',
		},
		{
			displayName: 'LoRA Scale',
			name: 'loraScale',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 0, maxValue: 1, numberPrecision: 2 },
			hint: '0 to 1 (default 1)',
			description: 'How strong the style LoRA is',
		},
		{
			displayName: 'Negative Prompt',
			name: 'negativePrompt',
			type: 'string',
			default: '',
			description: 'Things you do not want in the image',
		},
		{
			displayName: 'Prompt Strength (CFG)',
			name: 'promptStrength',
			type: 'number',
			default: 4.5,
			typeOptions: { minValue: 0, maxValue: 20, numberPrecision: 1 },
			hint: '0 to 20 (default 4.5): higher follows the prompt more, lower keeps more likeness',
			description: 'CFG scale: how closely the image follows the prompt',
		},
		{
			displayName: 'Seed',
			name: 'seed',
			type: 'number',
			default: -1,
			typeOptions: { minValue: -1, maxValue: MAX_SEED, numberPrecision: 0 },
			hint: `-1 for random (default), or 0 to ${MAX_SEED} to repeat an image`,
			description: 'Fix the random seed for reproducible images',
		},
	],
};

/**
 * The run controls people reach for, in the order they need them: what a finished job returns,
 * where the image goes, and the credit check. (Four at most show at once, so n8n's lint leaves
 * their order to us; the rarer controls are in Advanced Options.)
 */
export const commonOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'commonOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { hide: { operation: ['getCredits'] } },
	options: [
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'binary',
			displayOptions: { show: { '/operation': LINK_OPERATIONS } },
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
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyOutput',
			type: 'string',
			default: 'data',
			displayOptions: { show: { '/operation': IMAGE_OPERATIONS } },
			hint: 'The name of the output binary field to put the image in',
			description: 'Name of the binary field the image is written to',
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
			displayName: 'Minimum Credits',
			name: 'minimumCredits',
			type: 'number',
			default: 0,
			displayOptions: { show: { '/operation': JOB_OPERATIONS, checkCreditsFirst: [true] } },
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description: 'Stop before sending anything when the balance (credits plus free credits) is below this; 0 stops only at zero',
		},
	],
};

/**
 * The expert run controls: pacing, polling, retries, size limits and the Timeout (alphabetical, as
 * n8n's lint asks of a collection this long). Its parameter name stays `options`.
 */
export const runOptionsField: INodeProperties = {
	displayName: 'Advanced Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Advanced Option',
	default: {},
	displayOptions: { hide: { operation: ['getCredits'] } },
	options: [
		{
			displayName: 'Expected Job Time (Seconds)',
			name: 'expectedJobSeconds',
			type: 'number',
			default: 22,
			displayOptions: { show: { '/operation': POLLING_OPERATIONS } },
			typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 1 },
			hint: "0.1 to 3600 (default 22, Segmind's typical time for this model)",
			description:
				'How long a job usually takes at Segmind; Adaptive polling plans its first checks from it until it has measured jobs on this API key',
		},
		{
			displayName: 'Max Input Image Size (MB)',
			name: 'maxInputImageSizeMb',
			type: 'number',
			default: 10,
			displayOptions: { show: { '/operation': JOB_OPERATIONS, '/imageSource': ['binary'] } },
			typeOptions: { minValue: 0.1, maxValue: 50, numberPrecision: 1 },
			hint: '0.1 to 50 (default 10)',
			description: 'Largest input photo accepted; a bigger file fails before anything is uploaded or sent',
		},
		{
			displayName: 'Max Jobs in Flight',
			name: 'maxConcurrency',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			hint: '0 (default): no cap, every job is sent as fast as the rate limit allows (the legacy sync call: 5 at a time)',
			description: 'Most items whose job runs at Segmind at the same time',
		},
		{
			displayName: 'Max Output Image Size (MB)',
			name: 'maxImageSizeMb',
			type: 'number',
			default: 50,
			displayOptions: { show: { '/operation': IMAGE_OPERATIONS } },
			typeOptions: { minValue: 1, maxValue: 500 },
			hint: '1 to 500 (default 50)',
			description: 'Largest output image accepted; a bigger download fails the item',
		},
		{
			displayName: 'Max Requests per Minute',
			name: 'maxRequestsPerMinute',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			hint: 'Segmind: Free 5, Pro 50; 0 (default): learn the limit from the first 429',
			description: 'Cap on API requests per minute for this API key',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: 4,
			typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
			hint: '0 to 10 (default 4)',
			description: 'How often a rate-limited (429) or failed status request is retried, with growing waits',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: 1,
			displayOptions: { show: { '/operation': POLLING_OPERATIONS } },
			typeOptions: { minValue: 0.1, maxValue: 60, numberPrecision: 1 },
			hint: '0.1 to 60 (default 1)',
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
					description: "Check every poll interval, like Segmind's SDK",
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
			hint: '1 to 3600 (default 600)',
			description: 'How long one item may take in all (waiting for the rate limit, the job and the download) before it fails with its request ID',
		},
	],
};

/** A field of one of the collections above, by name. */
export function optionOf(collection: INodeProperties, name: string): INodeProperties {
	const found = (collection.options as INodeProperties[]).find((option) => option.name === name);
	if (!found) throw new RangeError(`${collection.name} has no option ${name}`);
	return found;
}
