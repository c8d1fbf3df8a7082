import { jobPayloadSchema, parseOrFail, ValidationFailure } from '../../nodes/SegmindFaceToMany/validation';

const valid = {
	image: 'https://example.com/face.jpg',
	style: '3D',
	prompt: 'a person',
	negative_prompt: '',
	seed: -1,
	lora_scale: 1,
	prompt_strength: 4.5,
	denoising_strength: 0.65,
	instant_id_strength: 1,
	control_depth_strength: 0.8,
};

function failure(changes: Record<string, unknown>): ValidationFailure {
	try {
		parseOrFail(jobPayloadSchema, { ...valid, ...changes });
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationFailure);
		return error as ValidationFailure;
	}
	throw new Error('expected a validation failure');
}

describe('job payload validation', () => {
	it('accepts the API defaults and keeps the body flat and exact', () => {
		expect(parseOrFail(jobPayloadSchema, valid)).toEqual(valid);
	});

	it('accepts every documented style spelling, including "Video game"', () => {
		for (const style of ['3D', 'Emoji', 'Video game', 'Pixels', 'Clay', 'Toy']) {
			expect(parseOrFail(jobPayloadSchema, { ...valid, style }).style).toBe(style);
		}
	});

	it.each([
		[{ prompt_strength: 25 }, '"Prompt Strength (CFG)"', 'between 0 and 20'],
		[{ prompt_strength: -0.5 }, '"Prompt Strength (CFG)"', 'between 0 and 20'],
		[{ denoising_strength: -0.1 }, '"Denoising Strength"', 'between 0 and 1'],
		[{ lora_scale: 1.01 }, '"LoRA Scale"', 'between 0 and 1'],
		[{ instant_id_strength: 2 }, '"InstantID Strength"', 'between 0 and 1'],
		[{ control_depth_strength: 'high' }, '"Depth ControlNet Strength"', 'must be a number'],
		[{ seed: 2 ** 33 }, '"Seed"', '-1 (random) or 0 to 4294967295'],
		[{ seed: 1.5 }, '"Seed"', 'whole number'],
		[{ seed: -2 }, '"Seed"', '-1 (random)'],
		[{ image: 'ftp://x' }, '"Image URL"', 'http:// or https://'],
		[{ image: 'not a url' }, '"Image URL"', 'http:// or https://'],
		[{ image: '' }, '"Image URL"', 'is required'],
		[{ style: 'Watercolor' }, '"Style"', '"Video game"'],
		[{ custom_lora_url: 'https://huggingface.co/x/trained_model.tar' }, '"Custom LoRA URL"', 'replicate.delivery'],
	])('rejects %j, naming %s and what is allowed', (changes, field, allowed) => {
		const error = failure(changes);
		expect(error.field).toBe(field);
		expect(error.message).toContain(field);
		expect(error.message).toContain(allowed);
	});

	it('accepts both Replicate LoRA URL forms', () => {
		for (const url of [
			'https://replicate.delivery/pbxt/abc123/trained_model.tar',
			'https://pbxt.replicate.delivery/abc123/trained_model.tar',
		]) {
			expect(parseOrFail(jobPayloadSchema, { ...valid, custom_lora_url: url }).custom_lora_url).toBe(url);
		}
	});

	it('rejects fields the API does not know, so a typo cannot be sent silently', () => {
		expect(() => parseOrFail(jobPayloadSchema, { ...valid, cfg: 3 })).toThrow(/unknown keys cfg/);
	});
});
