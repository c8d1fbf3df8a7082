import { NodeHelpers, type INode, type INodeProperties } from 'n8n-workflow';

import { DEFAULT_IMAGE_URL, DEFAULTS, STYLES } from '../../nodes/SegmindFaceToMany/constants';
import { nodeProperties, optionsField } from '../../nodes/SegmindFaceToMany/description';
import { SegmindFaceToMany } from '../../nodes/SegmindFaceToMany/SegmindFaceToMany.node';
import { SegmindApi } from '../../credentials/SegmindApi.credentials';

const field = (name: string): INodeProperties => {
	const found = nodeProperties.find((p) => p.name === name);
	if (!found) throw new Error(`no field ${name}`);
	return found;
};

describe('node description', () => {
	it('shows every API parameter with the API default and range', () => {
		expect(field('imageUrl').default).toBe(DEFAULT_IMAGE_URL);
		expect(field('style').default).toBe('3D');
		expect(field('prompt').default).toBe('a person');
		expect(field('negativePrompt').default).toBe('');
		expect(field('seed')).toMatchObject({ default: -1, typeOptions: { minValue: -1, maxValue: 4294967295 } });
		expect(field('loraScale')).toMatchObject({ default: 1, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(field('promptStrength')).toMatchObject({ default: 4.5, typeOptions: { minValue: 0, maxValue: 20 } });
		expect(field('denoisingStrength')).toMatchObject({ default: 0.65, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(field('instantIdStrength')).toMatchObject({ default: 1, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(field('controlDepthStrength')).toMatchObject({ default: 0.8, typeOptions: { minValue: 0, maxValue: 1 } });
		expect(field('customLoraUrl').default).toBe('');
	});

	it('keeps the literal UI defaults in step with the defaults execute() falls back to', () => {
		const uiDefaults: Record<string, unknown> = Object.fromEntries(
			[...nodeProperties, ...(optionsField.options as INodeProperties[])].map((p) => [p.name, p.default]),
		);
		for (const [name, value] of Object.entries(DEFAULTS)) expect([name, uiDefaults[name]]).toEqual([name, value]);
	});

	it('offers exactly the six API styles, with the API spelling as value', () => {
		const values = (field('style').options as Array<{ value: string }>).map((o) => o.value);
		expect([...values].sort()).toEqual([...STYLES].sort());
	});

	it('offers Output (Binary by default, Both, URL Only) for Generate and Get Result only', () => {
		const output = (optionsField.options as INodeProperties[]).find((o) => o.name === 'output');
		expect(output).toMatchObject({ type: 'options', default: 'binary', displayOptions: { show: { '/operation': ['generate', 'getResult'] } } });
		expect((output?.options as Array<{ name: string; value: string }>).map((o) => [o.name, o.value])).toEqual([
			['Binary', 'binary'],
			['Both', 'both'],
			['URL Only', 'url'],
		]);
	});

	it('keeps the old "Download Image" only where a saved node turned it off (n8n drops hidden options on load)', () => {
		const { description } = new SegmindFaceToMany();
		const load = (options: Record<string, unknown>) => {
			const node = { name: 'n', type: 't', typeVersion: 1, position: [0, 0], parameters: { options } } as unknown as INode;
			const parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description);
			return parameters?.options;
		};
		expect(load({ downloadImage: false })).toEqual({ downloadImage: false });
		// Never offered to new nodes, and "on" is what Output's default does anyway.
		expect(load({ downloadImage: true })).toEqual({});
		expect(load({ output: 'url' })).toEqual({ output: 'url' });
	});

	it('is usable as an AI tool and needs the Segmind credential', () => {
		const { description } = new SegmindFaceToMany();
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'segmindApi', required: true }]);
	});
});

describe('SegmindApi credential', () => {
	const credential = new SegmindApi();

	it('sends the key as x-api-key and tests it on the free credits endpoint', () => {
		expect(credential.authenticate.properties.headers).toEqual({ 'x-api-key': '={{$credentials.apiKey}}' });
		expect(credential.test.request.url).toBe('/v1/get-user-credits');
		expect(credential.properties.find((p) => p.name === 'apiKey')?.typeOptions?.password).toBe(true);
	});

	it('defaults the base URLs to Segmind and lets a proxy or test server replace them', () => {
		const defaults = Object.fromEntries(credential.properties.map((p) => [p.name, p.default]));
		expect(defaults.baseUrl).toBe('https://api.segmind.com');
		expect(defaults.uploadBaseUrl).toBe('https://workflows-api.segmind.com');
	});
});
