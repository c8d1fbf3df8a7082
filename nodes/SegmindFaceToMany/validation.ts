import { z } from 'zod';

import { CUSTOM_LORA_URL_PATTERN, MAX_SEED, OUTPUT_MODES, STYLES } from './constants';

/** UI labels, so a validation error names the field the user sees. */
export const FIELD_LABELS: Record<string, string> = {
	image: 'Image URL',
	style: 'Style',
	prompt: 'Prompt',
	negative_prompt: 'Negative Prompt',
	seed: 'Seed',
	lora_scale: 'LoRA Scale',
	prompt_strength: 'Prompt Strength (CFG)',
	denoising_strength: 'Denoising Strength',
	instant_id_strength: 'InstantID Strength',
	control_depth_strength: 'Depth ControlNet Strength',
	custom_lora_url: 'Custom LoRA URL',
	binaryPropertyName: 'Input Binary Property',
	binaryPropertyOutput: 'Binary Output Property',
	pollIntervalSeconds: 'Poll Interval (Seconds)',
	timeoutSeconds: 'Timeout (Seconds)',
	maxConcurrency: 'Max Jobs in Flight',
	expectedJobSeconds: 'Expected Job Time (Seconds)',
	maxRetries: 'Max Retries',
	maxImageSizeMb: 'Max Image Size (MB)',
	pollingMode: 'Polling',
	maxRequestsPerMinute: 'Max Requests per Minute',
	maxInputImageSizeMb: 'Max Input Image Size (MB)',
	checkCreditsFirst: 'Check Credits First',
	minimumCredits: 'Minimum Credits',
	output: 'Output',
	requestId: 'Request ID or Status URL',
};

const finiteNumber = z.number({
	invalid_type_error: 'must be a number',
	required_error: 'is required',
});

const between = (min: number, max: number) =>
	finiteNumber
		.finite('must be a finite number')
		.min(min, `must be between ${min} and ${max}`)
		.max(max, `must be between ${min} and ${max}`);

const httpUrl = z
	.string({ invalid_type_error: 'must be a URL', required_error: 'is required' })
	.trim()
	.min(1, 'is required: a public http:// or https:// URL of the photo')
	.refine((value) => {
		try {
			const url = new URL(value);
			return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
		} catch {
			return false;
		}
	}, 'must be an http:// or https:// URL');

/** The JSON body of a face-to-many job, exactly as Segmind receives it. */
export const jobPayloadSchema = z
	.object({
		image: httpUrl,
		style: z.enum(STYLES, {
			errorMap: () => ({ message: `must be one of ${STYLES.map((s) => `"${s}"`).join(', ')}` }),
		}),
		prompt: z.string({ invalid_type_error: 'must be text' }),
		negative_prompt: z.string({ invalid_type_error: 'must be text' }),
		seed: finiteNumber
			.int(`must be a whole number: -1 (random) or 0 to ${MAX_SEED}`)
			.min(-1, `must be -1 (random) or 0 to ${MAX_SEED}`)
			.max(MAX_SEED, `must be -1 (random) or 0 to ${MAX_SEED}`),
		lora_scale: between(0, 1),
		prompt_strength: between(0, 20),
		denoising_strength: between(0, 1),
		instant_id_strength: between(0, 1),
		control_depth_strength: between(0, 1),
		custom_lora_url: z
			.string()
			.trim()
			.regex(
				CUSTOM_LORA_URL_PATTERN,
				'must look like https://replicate.delivery/pbxt/<id>/trained_model.tar or https://pbxt.replicate.delivery/<id>/trained_model.tar',
			)
			.optional(),
	})
	.strict();

export type JobPayload = z.infer<typeof jobPayloadSchema>;

/** The node's run options (the "Options" collection). */
export const runOptionsSchema = z.object({
	binaryPropertyOutput: z
		.string()
		.trim()
		.min(1, 'is required')
		.regex(/^[A-Za-z0-9_.-]+$/, 'may only contain letters, digits, "_", "." and "-"'),
	pollIntervalSeconds: between(0.1, 60),
	timeoutSeconds: between(1, 3600),
	maxConcurrency: finiteNumber.int('must be a whole number').min(0, 'must be between 0 (no cap) and 1000').max(1000, 'must be between 0 (no cap) and 1000'),
	expectedJobSeconds: between(0.1, 3600),
	maxRetries: finiteNumber.int('must be a whole number').min(0, 'must be between 0 and 10').max(10, 'must be between 0 and 10'),
	maxImageSizeMb: between(1, 500),
	pollingMode: z.enum(['adaptive', 'fixed'], { errorMap: () => ({ message: 'must be Adaptive or Fixed Interval' }) }),
	maxRequestsPerMinute: finiteNumber
		.int('must be a whole number')
		.min(0, 'must be between 0 (no cap) and 1000')
		.max(1000, 'must be between 0 (no cap) and 1000'),
	maxInputImageSizeMb: between(0.1, 50),
	checkCreditsFirst: z.boolean({ invalid_type_error: 'must be true or false' }),
	minimumCredits: finiteNumber.finite('must be a finite number').min(0, 'must be 0 or more'),
	output: z.enum(OUTPUT_MODES, { errorMap: () => ({ message: 'must be "binary", "url" or "both"' }) }),
});

export type RunOptions = z.infer<typeof runOptionsSchema>;

export const binaryPropertyNameSchema = z.string().trim().min(1, 'is required');

/** A request id (UUID-like) or a v2 status/result URL, for Get Result. */
export const requestIdSchema = z
	.string({ invalid_type_error: 'must be text' })
	.trim()
	.min(1, 'is required: the request_id or status_url that the Submit operation returned');

export class ValidationFailure extends Error {
	constructor(
		readonly field: string,
		readonly problem: string,
		readonly value: unknown,
	) {
		super(`Invalid ${field}: ${describeValue(value)} ${problem}`);
	}
}

function describeValue(value: unknown): string {
	if (value === undefined || value === null || value === '') return 'the value';
	const text = typeof value === 'string' ? `"${value}"` : String(value);
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** Parse with a schema; on failure throw a ValidationFailure that names the UI field. */
export function parseOrFail<T>(schema: z.ZodType<T>, input: unknown, labels = FIELD_LABELS): T {
	const result = schema.safeParse(input);
	if (result.success) return result.data;
	const issue = result.error.issues[0];
	const key = String(issue.path[0] ?? '');
	const field = `"${labels[key] ?? key ?? 'value'}"`;
	const value =
		key && input && typeof input === 'object' ? (input as Record<string, unknown>)[key] : input;
	const problem =
		issue.code === 'unrecognized_keys' ? `has unknown keys ${issue.keys.join(', ')}` : issue.message;
	throw new ValidationFailure(field, problem, value);
}
