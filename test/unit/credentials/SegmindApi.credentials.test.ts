import { SegmindApi } from '../../../credentials/SegmindApi.credentials';

describe('SegmindApi credential', () => {
	const credential = new SegmindApi();

	it('sends the key as x-api-key and tests it on the free credits endpoint', () => {
		expect(credential.authenticate.properties.headers).toEqual({ 'x-api-key': '={{$credentials.apiKey}}' });
		expect(credential.test.request.url).toBe('/v1/get-user-credits');
		expect(credential.properties.find((p) => p.name === 'apiKey')?.typeOptions?.password).toBe(true);
	});

	it('says what Segmind answered on a 401 or 403, instead of a generic failure', () => {
		const rules = credential.test.rules ?? [];
		const messageFor = (code: number) =>
			rules.find((rule) => rule.type === 'responseCode' && rule.properties.value === code)?.properties.message;
		expect(messageFor(401)).toMatch(/^Segmind answered 401 Unauthorized: it does not know this API key/);
		expect(messageFor(403)).toMatch(/^Segmind answered 403 Forbidden/);
	});

	it('defaults the base URLs to Segmind and lets a proxy or test server replace them', () => {
		const defaults = Object.fromEntries(credential.properties.map((p) => [p.name, p.default]));
		expect(defaults.baseUrl).toBe('https://api.segmind.com');
		expect(defaults.uploadBaseUrl).toBe('https://workflows-api.segmind.com');
	});
});
