import { readRunOptions } from '../../../nodes/SegmindFaceToMany/actions/runOptions';
import { fakeContext } from '../fakeContext';

describe('readRunOptions (the Options and Advanced Options collections)', () => {
	const options = (values: Record<string, unknown>, common: Record<string, unknown> = {}) =>
		readRunOptions(fakeContext({ options: values, commonOptions: common }).ctx);

	it('fills every option with its declared default', () => {
		expect(options({})).toEqual({
			binaryPropertyOutput: 'data',
			checkCreditsFirst: false,
			expectedJobSeconds: 22,
			maxConcurrency: 0,
			maxImageSizeMb: 50,
			maxInputImageSizeMb: 10,
			maxRequestsPerMinute: 0,
			maxRetries: 4,
			minimumCredits: 0,
			output: 'binary',
			pollIntervalSeconds: 1,
			pollingMode: 'adaptive',
			timeoutSeconds: 600,
		});
	});

	it('names the option and its range when a value is out of it', () => {
		expect(() => options({ timeoutSeconds: 0 })).toThrow('Invalid "Timeout (Seconds)": 0 must be between 1 and 3600');
		expect(() => options({}, { output: 'pdf' })).toThrow('Invalid "Output": "pdf" must be one of "binary", "both", "url"');
		expect(() => options({}, { binaryPropertyOutput: 'my image' })).toThrow('Invalid "Put Output File in Field"');
	});

	it('reads the common controls from Options and the expert ones from Advanced Options', () => {
		expect(options({ timeoutSeconds: 30, maxRetries: 0 }, { output: 'url', checkCreditsFirst: true })).toMatchObject({
			timeoutSeconds: 30,
			maxRetries: 0,
			output: 'url',
			checkCreditsFirst: true,
		});
	});

	it('takes an option by the name the list shows, too ("URL Only" is "url")', () => {
		expect(options({}, { output: 'URL Only' }).output).toBe('url');
	});
});
