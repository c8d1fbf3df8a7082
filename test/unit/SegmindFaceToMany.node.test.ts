import {
	extractFromAICalls,
	FROM_AI_AUTO_GENERATED_MARKER,
	NodeHelpers,
	Workflow,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
} from 'n8n-workflow';

import { STYLES } from '../../nodes/SegmindFaceToMany/constants';
import { SegmindFaceToMany } from '../../nodes/SegmindFaceToMany/SegmindFaceToMany.node';
// The tool variant, built as n8n's CLI builds it (the `…Tool` name is what `@tool` reads).
import { toToolVariant } from '../harness/tool-variant';

const nodeType = new SegmindFaceToMany();
const { description } = nodeType;
const toolType = toToolVariant(nodeType);
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

/** The parameters n8n gives a node added fresh (defaults of what its panel shows), as the editor and the engine do. */
function freshParameters(type: INodeType, set: INodeParameters = {}): INodeParameters {
	const node = { name: 'Segmind', type: type.description.name, typeVersion: 1, parameters: set } as unknown as INode;
	return NodeHelpers.getNodeParameters(type.description.properties, set, true, false, node, type.description) ?? {};
}

describe('the panel', () => {
	it('shows Operation, the photo, Style and Prompt at the top (the photo, Style and Prompt twice: for people, for tools), then the collections', () => {
		expect(description.properties.map((p) => p.name)).toEqual([
			'operation',
			'imageSource',
			'imageUrl',
			'imageUrl',
			'binaryPropertyName',
			'style',
			'style',
			'prompt',
			'prompt',
			'modelOptions',
			'requestId',
			'waitForCompletion',
			'commonOptions',
			'options',
		]);
	});

	it('a fresh node starts with an empty Image URL, the 3D style and "a person"', () => {
		expect(freshParameters(nodeType)).toMatchObject({ operation: 'generate', imageSource: 'url', imageUrl: '', style: '3D', prompt: 'a person' });
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
		expect(freshParameters(toolType)).not.toHaveProperty('imageSource');
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

	it('keeps the common run controls in Options, by how often they are needed, and the expert ones in Advanced Options, alphabetical', () => {
		expect(field('commonOptions').displayName).toBe('Options');
		const common = (field('commonOptions').options as INodeProperties[]).map((o) => o.displayName);
		expect(common).toEqual(['Output', 'Put Output File in Field', 'Check Credits First', 'Minimum Credits']);
		expect(field('options').displayName).toBe('Advanced Options');
		const advanced = (field('options').options as INodeProperties[]).map((o) => o.displayName);
		expect(advanced).toEqual([...advanced].sort());
		expect(advanced).toEqual(expect.arrayContaining(['Max Requests per Minute', 'Max Retries', 'Polling', 'Timeout (Seconds)']));
	});

	it('offers exactly the six API styles, with the API spelling as value, and names them in its description as the list does', () => {
		const styles = field('style').options as Array<{ name: string; value: string }>;
		expect(styles.map((o) => o.value).sort()).toEqual([...STYLES].sort());
		for (const { name } of styles) expect(field('style').description).toContain(name);
		expect(styles.find((o) => o.value === 'Video game')?.name).toBe('Video Game');
		expect(description.description).toContain('Video Game');
	});

	it('takes a style in any spelling from an expression without the editor calling it "not supported"', () => {
		// n8n's editor skips its "The value … is not supported!" check for options that allow arbitrary values.
		expect(field('style').allowArbitraryValues).toBe(true);
	});

	it('offers Output (Binary by default, Both, URL Only) for Generate Image and Get Job Result only', () => {
		expect(option('commonOptions', 'output')).toMatchObject({ type: 'options', default: 'binary', displayOptions: { show: { '/operation': ['generate', 'getResult'] } } });
		expect((option('commonOptions', 'output').options as Array<{ name: string; value: string }>).map((o) => [o.name, o.value])).toEqual([
			['Binary', 'binary'],
			['Both', 'both'],
			['URL Only', 'url'],
		]);
	});

	it('subtitles the node on the canvas with the operation, and the style where a job is sent (evaluated as n8n does)', () => {
		const subtitle = (parameters: INodeParameters, type: INodeType = nodeType) => {
			const nodeTypes: INodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
			const node: INode = { id: '1', name: 'Segmind', type: type.description.name, typeVersion: 1, position: [0, 0], parameters };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			return workflow.expression.getSimpleParameterValue(workflow.getNode('Segmind')!, String(description.subtitle), 'internal', {});
		};
		expect(subtitle({ operation: 'generate', style: 'Clay' })).toBe('Generate Image: Clay');
		expect(subtitle({})).toBe('Generate Image: 3D'); // a fresh node
		expect(subtitle({ operation: 'submit', style: 'Video game' })).toBe('Submit Job: Video game');
		expect(subtitle({ operation: 'generateSync', style: 'Toy' })).toBe('Sync Generate Image (Legacy): Toy');
		expect(subtitle({ operation: 'getResult', style: 'Clay' })).toBe('Get Job Result');
		expect(subtitle({ operation: 'getCredits', style: '3D' })).toBe('Get Credit Balance');
		expect(subtitle({ style: '={{ $json.style }}' })).toBe('Generate Image: style from expression');
		// A fresh tool: the model picks the style.
		expect(subtitle({}, toolType)).toBe('Generate Image: style by AI');
	});

	it('gives a fresh AI tool the photo URL, style and prompt as n8n\'s ✨ "defined by the model" values, with what the model reads', () => {
		const fresh = freshParameters(toolType);
		const calls = Object.fromEntries(
			(['imageUrl', 'style', 'prompt'] as const).map((name) => {
				const value = String(fresh[name]);
				// What the editor's ✨ button writes (and shows as "defined automatically by the model").
				expect(value.startsWith(`={{ ${FROM_AI_AUTO_GENERATED_MARKER} $fromAI(`)).toBe(true);
				const found = extractFromAICalls(value);
				expect(found).toHaveLength(1);
				return [name, found[0]];
			}),
		);
		expect(calls.imageUrl).toMatchObject({ key: 'Image_URL', type: 'string', description: field('imageUrl').description });
		expect(calls.style).toMatchObject({ key: 'Style', type: 'string', description: expect.stringContaining('Video Game') });
		expect(calls.prompt).toMatchObject({ key: 'Prompt', type: 'string', defaultValue: 'a person' });
		// Nothing else asks the model, and the operation is Generate Image.
		expect(fresh.operation).toBe('generate');
	});

	it('keeps pick lists for people and gives tools text (n8n offers its ✨ button to no options field)', () => {
		const twins = description.properties.filter((p) => p.displayOptions?.show?.['@tool']?.[0] === true);
		expect(twins.map((p) => [p.name, p.type])).toEqual([
			['imageUrl', 'string'],
			['style', 'string'],
			['prompt', 'string'],
		]);
		const forPeople = description.properties.filter((p) => p.displayOptions?.show?.['@tool']?.[0] === false);
		expect(forPeople.map((p) => [p.name, p.type])).toEqual([
			['imageUrl', 'string'],
			['style', 'options'],
			['prompt', 'string'],
		]);
	});

	it('starts Get Job Result from the incoming request_id (it nearly always follows Submit Job)', () => {
		expect(freshParameters(nodeType, { operation: 'getResult' })).toMatchObject({ requestId: '={{ $json.request_id }}', waitForCompletion: true });
	});

	it('is usable as an AI tool and needs the Segmind credential', () => {
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'segmindApi', required: true }]);
	});
});
