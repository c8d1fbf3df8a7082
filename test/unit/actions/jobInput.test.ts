import API_DEFAULTS from '../../fixtures/api-defaults.json';
import { readJobSettings } from '../../../nodes/SegmindFaceToMany/actions/jobInput';
import { ValidationFailure } from '../../../nodes/SegmindFaceToMany/helpers/parameters';
import { fakeContext } from '../fakeContext';

const settings = (parameters: Record<string, unknown>) => readJobSettings(fakeContext(parameters).ctx, 0);

function failure(parameters: Record<string, unknown>): ValidationFailure {
	try {
		settings(parameters);
	} catch (error) {
		expect(error).toBeInstanceOf(ValidationFailure);
		return error as ValidationFailure;
	}
	throw new Error('expected a validation failure');
}

describe('readJobSettings (the job body from the panel)', () => {
	it('sends the API defaults when nothing is set, flat and under Segmind\'s names', () => {
		expect(settings({})).toEqual(API_DEFAULTS);
	});

	it('reads Model Options from their collection', () => {
		expect(settings({ modelOptions: { seed: 7, denoisingStrength: 0.3, customLoraUrl: 'https://replicate.delivery/pbxt/a/trained_model.tar' } })).toEqual({
			...API_DEFAULTS,
			seed: 7,
			denoising_strength: 0.3,
			custom_lora_url: 'https://replicate.delivery/pbxt/a/trained_model.tar',
		});
	});

	it.each([
		['clay', 'Clay'],
		['video game', 'Video game'],
		['Video Game', 'Video game'],
		['VIDEO_GAME', 'Video game'],
		[' pixels ', 'Pixels'],
		['3d', '3D'],
		['toy', 'Toy'],
		['EMOJI', 'Emoji'],
	])('takes the style %j as Segmind\'s %j', (given, sent) => {
		expect(settings({ style: given }).style).toBe(sent);
	});

	it('takes numbers written as text ("0.5" from a sheet or an expression), and a number as the prompt\'s text', () => {
		expect(settings({ prompt: 42, modelOptions: { loraScale: '0.5', seed: ' 12 ' } })).toMatchObject({ prompt: '42', lora_scale: 0.5, seed: 12 });
	});

	it.each([
		[{ modelOptions: { promptStrength: 25 } }, '"Prompt Strength (CFG)"', 'between 0 and 20'],
		[{ modelOptions: { promptStrength: -0.5 } }, '"Prompt Strength (CFG)"', 'between 0 and 20'],
		[{ modelOptions: { denoisingStrength: -0.1 } }, '"Denoising Strength"', 'between 0 and 1'],
		[{ modelOptions: { loraScale: 1.01 } }, '"LoRA Scale"', 'between 0 and 1'],
		[{ modelOptions: { instantIdStrength: 2 } }, '"InstantID Strength"', 'between 0 and 1'],
		[{ modelOptions: { controlDepthStrength: 'high' } }, '"Depth ControlNet Strength"', 'must be a number'],
		[{ modelOptions: { controlDepthStrength: '0.5x' } }, '"Depth ControlNet Strength"', 'must be a number'],
		[{ modelOptions: { seed: 2 ** 33 } }, '"Seed"', 'between -1 and 4294967295'],
		[{ modelOptions: { seed: 1.5 } }, '"Seed"', 'whole number'],
		[{ modelOptions: { seed: -2 } }, '"Seed"', 'between -1 and 4294967295'],
		// Named as the Style list names them (any case is taken).
		[{ style: 'Watercolor' }, '"Style"', '"3D", "Clay", "Emoji", "Pixels", "Toy", "Video Game"'],
		[{ modelOptions: { customLoraUrl: 'https://huggingface.co/x/trained_model.tar' } }, '"Custom LoRA URL"', 'replicate.delivery'],
	])('refuses %j, naming %s and what is allowed', (parameters, field, allowed) => {
		const error = failure(parameters);
		expect(error.field).toBe(field);
		expect(error.message).toContain(field);
		expect(error.message).toContain(allowed);
	});
});

