import type { INodeProperties } from 'n8n-workflow';

import { STYLES } from '../../nodes/SegmindFaceToMany/constants';
import { SegmindFaceToMany } from '../../nodes/SegmindFaceToMany/SegmindFaceToMany.node';

const { description } = new SegmindFaceToMany();
const field = (name: string): INodeProperties => {
	const found = description.properties.find((p) => p.name === name);
	if (!found) throw new Error(`no field ${name}`);
	return found;
};
const option = (collection: string, name: string): INodeProperties => {
	const found = (field(collection).options as INodeProperties[]).find((o) => o.name === name);
	if (!found) throw new Error(`no option ${collection}.${name}`);
	return found;
};

describe('the panel', () => {
	it('shows Operation, the photo, Style and Prompt at the top, then two collections', () => {
		expect(description.properties.map((p) => p.name)).toEqual([
			'operation',
			'imageSource',
			'imageUrl',
			'binaryPropertyName',
			'style',
			'prompt',
			'modelOptions',
			'requestId',
			'waitForCompletion',
			'options',
		]);
	});

	it('names operations by what the user gets, the legacy sync call last', () => {
		expect((field('operation').options as Array<{ name: string; value: string; action: string }>).map((o) => [o.name, o.value])).toEqual([
			['Generate Image', 'generate'],
			['Get Credit Balance', 'getCredits'],
			['Get Job Result', 'getResult'],
			['Submit Job', 'submit'],
			['Sync Generate Image (Legacy)', 'generateSync'],
		]);
		expect(field('operation').default).toBe('generate');
	});

	it('starts with an empty Image URL and an example placeholder, so nobody pays for a sample photo', () => {
		expect(field('imageUrl')).toMatchObject({ default: '', placeholder: 'e.g. https://example.com/face.jpg', required: true });
	});

	it('hides the Binary File source from an agent (tool mode)', () => {
		expect(field('imageSource').displayOptions?.hide).toEqual({ '@tool': [true] });
	});

	it('keeps every model setting in Model Options, alphabetical, with the API default and its range in a visible hint', () => {
		const names = (field('modelOptions').options as INodeProperties[]).map((o) => o.displayName);
		expect(names).toEqual([...names].sort());
		expect(option('modelOptions', 'seed')).toMatchObject({ default: -1, typeOptions: { minValue: -1, maxValue: 4294967295 } });
		expect(option('modelOptions', 'loraScale')).toMatchObject({ default: 1, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(option('modelOptions', 'promptStrength')).toMatchObject({ default: 4.5, typeOptions: { minValue: 0, maxValue: 20 } });
		expect(option('modelOptions', 'denoisingStrength')).toMatchObject({ default: 0.65, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(option('modelOptions', 'instantIdStrength')).toMatchObject({ default: 1, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(option('modelOptions', 'controlDepthStrength')).toMatchObject({ default: 0.8, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(option('modelOptions', 'negativePrompt').default).toBe('');
		expect(option('modelOptions', 'customLoraUrl').default).toBe('');
		for (const o of field('modelOptions').options as INodeProperties[]) {
			if (o.type !== 'number') continue;
			const { minValue, maxValue } = o.typeOptions ?? {};
			expect([o.name, o.hint]).toEqual([o.name, expect.stringContaining(String(minValue))]);
			expect([o.name, o.hint]).toEqual([o.name, expect.stringContaining(`to ${maxValue}`)]);
		}
		expect(field('style').default).toBe('3D');
		expect(field('prompt').default).toBe('a person');
	});

	it('keeps the run controls in Options, alphabetical', () => {
		const names = (field('options').options as INodeProperties[]).map((o) => o.displayName);
		expect(names).toEqual([...names].sort());
		expect(names).toContain('Put Output File in Field');
		expect(names).toContain('Timeout (Seconds)');
	});

	it('offers exactly the six API styles, with the API spelling as value and all six in the description', () => {
		const values = (field('style').options as Array<{ value: string }>).map((o) => o.value);
		expect([...values].sort()).toEqual([...STYLES].sort());
		for (const style of STYLES) expect(field('style').description).toContain(style);
	});

	it('offers Output (Binary by default, Both, URL Only) for Generate Image and Get Job Result only', () => {
		expect(option('options', 'output')).toMatchObject({ type: 'options', default: 'binary', displayOptions: { show: { '/operation': ['generate', 'getResult'] } } });
		expect((option('options', 'output').options as Array<{ name: string; value: string }>).map((o) => [o.name, o.value])).toEqual([
			['Binary', 'binary'],
			['Both', 'both'],
			['URL Only', 'url'],
		]);
	});

	it('subtitles the node on the canvas with the operation, and the style where a job is sent', () => {
		const expression = String(description.subtitle).replace(/^=\{\{(.*)\}\}$/s, '$1');
		const subtitle = (parameters: Record<string, string>) => new Function('$parameter', `return (${expression});`)(parameters) as string;
		expect(subtitle({ operation: 'generate', style: 'Clay' })).toBe('Generate Image: Clay');
		expect(subtitle({ operation: 'submit', style: 'Video game' })).toBe('Submit Job: Video game');
		expect(subtitle({ operation: 'generateSync', style: 'Toy' })).toBe('Sync Generate Image (Legacy): Toy');
		expect(subtitle({ operation: 'getResult', style: 'Clay' })).toBe('Get Job Result');
		expect(subtitle({ operation: 'getCredits', style: '3D' })).toBe('Get Credit Balance');
	});

	it('is usable as an AI tool and needs the Segmind credential', () => {
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'segmindApi', required: true }]);
	});
});
