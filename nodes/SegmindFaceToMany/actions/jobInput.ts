import type { IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { CUSTOM_LORA_URL_PATTERN, MAX_SEED } from '../constants';
import { declareField, readCollection, readField, renameKeys, type FieldName } from '../helpers/parameters';
import { forTools, FOR_PEOPLE } from '../helpers/toolFields';
import type { JobPayload } from '../transport/wire';
import { operationsThat } from './operationTraits';

/*
 * An item's job settings: Style, Prompt and the Model Options, declared here (the panel shows
 * these objects; their types and checks derive from them) and read into the body Segmind gets.
 */

const forJobs = { show: { operation: operationsThat('sendsJob') } };

export const styleField = declareField({
	displayName: 'Style',
	name: 'style',
	type: 'options',
	default: '3D',
	displayOptions: { show: { ...forJobs.show, ...FOR_PEOPLE } },
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
});

/** Style in an agent's tool: the model names it in its own words, checked against the list above. */
export const toolStyleField = forTools(styleField, forJobs.show);

export const promptField = declareField({
	displayName: 'Prompt',
	name: 'prompt',
	type: 'string',
	default: 'a person',
	displayOptions: { show: { ...forJobs.show, ...FOR_PEOPLE } },
	description: 'Short text of what to draw, e.g. "a person" (the default) or "a smiling astronaut"',
});

/** Prompt in an agent's tool: optional for the model (its default when the model gives none). */
export const toolPromptField = forTools(promptField, forJobs.show, promptField.default);

/** Expert settings of the model, in one collection (alphabetical, as n8n's lint asks). */
export const modelOptionsField = declareField({
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
});

/** The fields of an item's job settings, in the panel's order (each with its tool twin where it has one). */
export const jobSettingsFields = [styleField, toolStyleField, promptField, toolPromptField, modelOptionsField];

/**
 * Each Model Option under the name Segmind gives it in the job body. Typed both ways: an option
 * missing here, or a name the body does not have, does not compile.
 */
const SEGMIND_NAMES = {
	controlDepthStrength: 'control_depth_strength',
	customLoraUrl: 'custom_lora_url',
	denoisingStrength: 'denoising_strength',
	instantIdStrength: 'instant_id_strength',
	loraScale: 'lora_scale',
	negativePrompt: 'negative_prompt',
	promptStrength: 'prompt_strength',
	seed: 'seed',
} as const satisfies Record<FieldName<typeof modelOptionsField>, keyof JobPayload>;

/** The job body but the image, as Segmind receives it. */
export type JobSettings = Omit<JobPayload, 'image'>;

const customLoraUrlSchema = z
	.string({ invalid_type_error: 'must be a URL' })
	.trim()
	.refine(
		(value) => value === '' || CUSTOM_LORA_URL_PATTERN.test(value),
		'must look like https://replicate.delivery/pbxt/<id>/trained_model.tar or https://pbxt.replicate.delivery/<id>/trained_model.tar',
	);

/** Item `i`'s job body but the image, read and checked (throws ValidationFailure naming the field). */
export function readJobSettings(ctx: IExecuteFunctions, i: number): JobSettings {
	const style = readField(ctx, styleField, i);
	const prompt = readField(ctx, promptField, i);
	const model = readCollection(ctx, modelOptionsField, i, { customLoraUrl: customLoraUrlSchema });
	const { custom_lora_url: lora, ...sent } = renameKeys(model, SEGMIND_NAMES);
	return {
		style,
		prompt,
		...sent,
		// Left empty, the Custom LoRA URL is not sent.
		...(lora ? { custom_lora_url: lora } : {}),
	};
}
