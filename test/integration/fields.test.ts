/**
 * Every job field, table-driven, through n8n's engine to the local server's wire:
 * - set to a valid value of its own (not the default), it arrives under Segmind's name with that
 *   value, and every other field keeps its default;
 * - every numeric field at both edges is sent; just past either edge it fails naming the field,
 *   and nothing at all is sent.
 */
import type { IDataObject } from 'n8n-workflow';

import API_DEFAULTS from '../fixtures/api-defaults.json';
import { FIXTURE_IMAGE_URL } from '../harness/n8n-engine';
import { FAST, nodeError, runNode, useServer } from './support';

const ctx = useServer();

/** What a Submit with no field set sends: Segmind's documented defaults and the fixture photo. */
const DEFAULT_BODY: IDataObject = { ...API_DEFAULTS, image: FIXTURE_IMAGE_URL };

const LORA = 'https://replicate.delivery/pbxt/abc123/trained_model.tar';

/** Parameter, its value (not the default), Segmind's name for it. */
const FIELDS: Array<[string, string | number, string]> = [
	['prompt', 'a knight in armour', 'prompt'],
	['negativePrompt', 'blurry, extra fingers', 'negative_prompt'],
	['seed', 123456, 'seed'],
	['loraScale', 0.35, 'lora_scale'],
	['promptStrength', 7.25, 'prompt_strength'],
	['denoisingStrength', 0.42, 'denoising_strength'],
	['instantIdStrength', 0.6, 'instant_id_strength'],
	['controlDepthStrength', 0.15, 'control_depth_strength'],
	['customLoraUrl', LORA, 'custom_lora_url'],
	['style', 'Video game', 'style'],
];

/** The one submit body the server received. */
function onlyBody(): IDataObject {
	const submits = ctx.server.requests.filter((r) => r.route === 'submit');
	expect(submits).toHaveLength(1);
	return submits[0].body as IDataObject;
}

test('with nothing set, the defaults are sent (the baseline the other cases differ from)', async () => {
	const run = await runNode(ctx.server, { operation: 'submit', options: FAST });
	expect(run.error).toBeUndefined();
	expect(onlyBody()).toEqual(DEFAULT_BODY);
});

describe('each field set to a value of its own arrives under Segmind\'s name', () => {
	test.each(FIELDS)('%s = %j is sent as %s', async (parameter, value, wireName) => {
		expect(DEFAULT_BODY[wireName]).not.toEqual(value);
		const run = await runNode(ctx.server, { operation: 'submit', [parameter]: value, options: FAST });
		expect(run.error).toBeUndefined();
		expect(onlyBody()).toEqual({ ...DEFAULT_BODY, [wireName]: value });
	});

	test('all of them at once, from expressions on the item', async () => {
		const json = Object.fromEntries(FIELDS.map(([parameter, value]) => [parameter, value]));
		const parameters = Object.fromEntries(FIELDS.map(([parameter]) => [parameter, `={{ $json.${parameter} }}`]));
		const run = await runNode(ctx.server, { operation: 'submit', ...parameters, options: FAST }, { items: [{ json }] });
		expect(run.error).toBeUndefined();
		expect(onlyBody()).toEqual({ ...DEFAULT_BODY, ...Object.fromEntries(FIELDS.map(([, value, wireName]) => [wireName, value])) });
	});
});

/** Numeric fields: label, parameter, Segmind's name, lowest, highest, and the step "just past". */
const RANGES: Array<[string, string, string, number, number, number]> = [
	['Seed', 'seed', 'seed', -1, 4294967295, 1],
	['LoRA Scale', 'loraScale', 'lora_scale', 0, 1, 0.01],
	['Prompt Strength (CFG)', 'promptStrength', 'prompt_strength', 0, 20, 0.01],
	['Denoising Strength', 'denoisingStrength', 'denoising_strength', 0, 1, 0.01],
	['InstantID Strength', 'instantIdStrength', 'instant_id_strength', 0, 1, 0.01],
	['Depth ControlNet Strength', 'controlDepthStrength', 'control_depth_strength', 0, 1, 0.01],
];

describe('numeric fields: both edges are sent, just past either edge is refused before any request', () => {
	const edges = RANGES.flatMap(([, parameter, wireName, low, high]) => [
		[parameter, low, wireName] as const,
		[parameter, high, wireName] as const,
	]);
	test.each(edges)('%s = %d (an edge) is sent as %s with that value', async (parameter, value, wireName) => {
		const run = await runNode(ctx.server, { operation: 'submit', [parameter]: value, options: FAST });
		expect(run.error).toBeUndefined();
		expect(onlyBody()[wireName]).toBe(value);
	});

	const past = RANGES.flatMap(([label, parameter, , low, high, step]) => [
		[label, parameter, Number((low - step).toFixed(4))] as const,
		[label, parameter, Number((high + step).toFixed(4))] as const,
	]);
	test.each(past)('%s just past an edge (%s = %d): a clear error naming the field, zero requests', async (label, parameter, value) => {
		const run = await runNode(ctx.server, { operation: 'submit', [parameter]: value, options: FAST });
		const error = nodeError(run);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message.startsWith(`Invalid "${label}": ${value} `)).toBe(true);
		expect(error.description).toMatch(/^Nothing was sent to Segmind/);
		expect(ctx.server.requests).toEqual([]);
	});
});
