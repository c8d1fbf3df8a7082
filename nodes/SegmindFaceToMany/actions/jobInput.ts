import type { IExecuteFunctions } from 'n8n-workflow';
import { z } from 'zod';

import { modelOptionsField, optionOf, promptField, styleField } from './common.fields';
import { CUSTOM_LORA_URL_PATTERN, type Style } from '../constants';
import { readField } from '../helpers/parameters';
import type { JobPayload } from '../transport/wire';

export type { JobPayload } from '../transport/wire';

/** Each Model Options field under the name Segmind gives it. */
const MODEL_FIELDS = {
	negative_prompt: 'negativePrompt',
	seed: 'seed',
	lora_scale: 'loraScale',
	prompt_strength: 'promptStrength',
	denoising_strength: 'denoisingStrength',
	instant_id_strength: 'instantIdStrength',
	control_depth_strength: 'controlDepthStrength',
} as const;

const customLoraUrl = optionOf(modelOptionsField, 'customLoraUrl');
const customLoraUrlSchema = z
	.string({ invalid_type_error: 'must be a URL' })
	.trim()
	.refine(
		(value) => value === '' || CUSTOM_LORA_URL_PATTERN.test(value),
		'must look like https://replicate.delivery/pbxt/<id>/trained_model.tar or https://pbxt.replicate.delivery/<id>/trained_model.tar',
	);

/** Item `i`'s job body but the image, read and checked (throws ValidationFailure naming the field). */
export function readJobSettings(ctx: IExecuteFunctions, i: number): Omit<JobPayload, 'image'> {
	const within = modelOptionsField;
	const settings = {
		style: readField<Style>(ctx, styleField, i),
		prompt: readField<string>(ctx, promptField, i),
	} as Omit<JobPayload, 'image'>;
	for (const [apiName, fieldName] of Object.entries(MODEL_FIELDS)) {
		(settings as unknown as Record<string, unknown>)[apiName] = readField(ctx, optionOf(within, fieldName), i, { within });
	}
	const lora = readField(ctx, customLoraUrl, i, { within, schema: customLoraUrlSchema });
	if (lora) settings.custom_lora_url = lora;
	return settings;
}
