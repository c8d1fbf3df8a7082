/**
 * Plain advice for the failure texts face-to-many is known to return (sources in
 * docs/guidance-sources.md). Unknown texts get none. How errors show it: toNodeError.test.ts.
 */
import { guidanceFor, type GuidanceTopic } from '../../../nodes/SegmindFaceToMany/errors/guidance';

const KNOWN: Record<GuidanceTopic, string[]> = {
	noFace: [
		// cubiq/ComfyUI_InstantID (ApplyInstantID), as raised and as Python prints it
		'Reference Image: No face detected.',
		'Exception: Reference Image: No face detected.',
		// older ComfyUI_InstantID, ComfyUI_IPAdapter_plus, sd-webui-controlnet
		'Feature Extractor: No face detected.',
		'InsightFace: No face detected.',
		'Exception: Insightface: No face found in image',
		'Error occurred when executing ApplyInstantID:\n\nReference Image: No face detected.',
		'No faces detected!',
		'Face not detected in the input image',
		'Face could not be detected in the reference image',
		'Unable to detect a face in the image',
		'Could not find any face',
	],
	multipleFaces: [
		'Multiple faces detected',
		'There is more than 1 face in the image.',
		'More than one face found in the input image; please provide a photo of one person',
		'2 faces detected, expected 1',
	],
	badImage: [
		// Pillow
		"cannot identify image file '/tmp/inputs/input.jpg'",
		"PIL.UnidentifiedImageError: cannot identify image file <_io.BytesIO object at 0x7f3c2a1b9f40>",
		'OSError: image file is truncated (16 bytes not processed)',
		// fofr/cog-face-to-many predict.py
		'Unsupported file type: .gif',
		'ValueError: Unsupported file type: ',
		'No image provided',
		// conservative
		'Image too small',
		'Input image is too small: minimum 256x256',
		'Image resolution is too low',
		'Invalid image',
		'Could not decode the input image',
		'Failed to download image from URL',
	],
	contentBlocked: [
		'NSFW content detected',
		'Potential NSFW content was detected in one or more images. A black image will be returned instead.',
		'Content blocked: the request was flagged by the safety filter',
		'Your request was flagged by our content moderation system',
		'Image rejected by the safety checker',
		'Inappropriate content',
		'content_policy_violation',
		'The output was blocked by the safety filter',
	],
	loraRejected: [
		// fofr/cog-face-to-many predict.py
		'Custom LoRA URL format is not supported. Must be in the format https://replicate.delivery/pbxt/[id]/trained_model.tar or https://pbxt.replicate.delivery/[id]/trained_model.tar',
		'ValueError: Custom LoRA URL format is not supported.',
		// fofr/cog-face-to-many weights_downloader.py
		'lora.safetensors not found in ComfyUI/models/loras/abc123.',
		"Command '['pget', '--log-level', 'warn', '-xf', 'https://replicate.delivery/pbxt/abc123/trained_model.tar', 'ComfyUI/models/loras/abc123']' returned non-zero exit status 1.",
		// this repo's test server and conservative wordings
		'custom_lora_url must be a replicate.delivery trained_model.tar',
		'Invalid LoRA URL',
		'Failed to download LoRA weights',
	],
};

const UNKNOWN = [
	'Prompt is Mandatory and must be string',
	'CUDA out of memory. Tried to allocate 2.00 GiB',
	'Internal server error',
	'seed out of range',
	'prompt_strength must be between 0 and 20',
	'Request 2c7f59ea-13f1-402c-9353-915a2b5a2124 not found',
	'Invalid API key',
	'Insufficient credits. Your balance is 0.0100 and this request needs 0.0246.',
	'image must be a URL',
	'Face swap completed',
	'',
	'   ',
];

describe('guidanceFor: known texts', () => {
	const cases = Object.entries(KNOWN).flatMap(([topic, texts]) => texts.map((text) => [topic, text] as const));

	test.each(cases)('%s ← %j', (topic, text) => {
		const guidance = guidanceFor(text);
		expect(guidance?.topic).toBe(topic);
		expect(guidance?.advice.length).toBeGreaterThan(40);
	});

	test('matching is case-insensitive', () => {
		expect(guidanceFor('REFERENCE IMAGE: NO FACE DETECTED.')?.topic).toBe('noFace');
		expect(guidanceFor('nsfw CONTENT detected')?.topic).toBe('contentBlocked');
		expect(guidanceFor('CUSTOM LORA URL FORMAT IS NOT SUPPORTED')?.topic).toBe('loraRejected');
	});

	test('the advice is concrete for each topic', () => {
		expect(guidanceFor('Reference Image: No face detected.')?.advice).toMatch(/front-facing photo of one real person/);
		expect(guidanceFor('Multiple faces detected')?.advice).toMatch(/crop the photo to the one person/);
		expect(guidanceFor('Multiple faces detected')?.advice).toMatch(/InstantID keeps the largest/);
		expect(guidanceFor('cannot identify image file')?.advice).toMatch(/JPEG, PNG or WebP/);
		expect(guidanceFor('NSFW content detected')?.advice).toMatch(/content filter blocked this job/);
		expect(guidanceFor('NSFW content detected')?.advice).not.toMatch(/refund/i);
		expect(guidanceFor('Invalid LoRA URL')?.advice).toContain('https://replicate.delivery/pbxt/<id>/trained_model.tar');
	});

	test('each topic has its own advice', () => {
		const advice = Object.values(KNOWN).map((texts) => guidanceFor(texts[0])?.advice);
		expect(new Set(advice).size).toBe(5);
	});
});

describe('guidanceFor: unknown texts', () => {
	test.each(UNKNOWN.map((text) => [text]))('%j → undefined', (text) => {
		expect(guidanceFor(text)).toBeUndefined();
	});

	test('no text at all → undefined', () => {
		expect(guidanceFor(undefined)).toBeUndefined();
		expect(guidanceFor(null)).toBeUndefined();
	});
});
