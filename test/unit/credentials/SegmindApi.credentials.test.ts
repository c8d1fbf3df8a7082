import { SegmindApi } from '../../../credentials/SegmindApi.credentials';

describe('SegmindApi credential', () => {
	const credential = new SegmindApi();

	it('sends the key as x-api-key and tests it on the free credits endpoint', () => {
		expect(credential.authenticate.properties.headers).toEqual({ 'x-api-key': '={{$credentials.apiKey}}' });
		expect(credential.test.request.url).toBe('/v1/get-user-credits');
		expect(credential.properties.find((p) => p.name === 'apiKey')?.typeOptions?.password).toBe(true);
	});

	it("links its documentation to this node's Credentials section, not Segmind's site", () => {
		expect(credential.documentationUrl).toBe('https://github.com/segmind/n8n-nodes-segmind-face-to-many#credentials');
	});

	it('defaults the base URLs to Segmind and lets a proxy or test server replace them', () => {
		const defaults = Object.fromEntries(credential.properties.map((p) => [p.name, p.default]));
		expect(defaults.baseUrl).toBe('https://api.segmind.com');
		expect(defaults.uploadBaseUrl).toBe('https://workflows-api.segmind.com');
	});
});
