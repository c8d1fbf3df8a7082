/** Values taken from Segmind's face-to-many API page and wire protocol (see README). */

export const STYLES = ['3D', 'Emoji', 'Video game', 'Pixels', 'Clay', 'Toy'] as const;
export type Style = (typeof STYLES)[number];

/** What a finished job returns: the image as binary data, only its link, or both. */
export const OUTPUT_MODES = ['binary', 'url', 'both'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

export const DEFAULT_IMAGE_URL =
	'https://segmind-sd-models.s3.amazonaws.com/display_images/Ftm_ip.png.jpg';

export const DEFAULTS = {
	style: '3D' as Style,
	prompt: 'a person',
	negativePrompt: '',
	seed: -1,
	loraScale: 1,
	promptStrength: 4.5,
	denoisingStrength: 0.65,
	instantIdStrength: 1,
	controlDepthStrength: 0.8,
	binaryPropertyName: 'data',
	binaryPropertyOutput: 'data',
	pollIntervalSeconds: 1,
	pollingMode: 'adaptive' as 'adaptive' | 'fixed',
	maxRequestsPerMinute: 0,
	timeoutSeconds: 600,
	/** Max Jobs in Flight: 0 = no cap (the request budget paces submits). */
	maxConcurrency: 0,
	/** Segmind's documented typical face-to-many job time. */
	expectedJobSeconds: 22,
	maxRetries: 4,
	maxImageSizeMb: 50,
	maxInputImageSizeMb: 10,
	checkCreditsFirst: false,
	minimumCredits: 0,
	output: 'binary' as OutputMode,
};

export const MAX_SEED = 4294967295;

/** Generate (Sync, V1) holds a connection for a whole job: this many at once unless Max Jobs in Flight is set. */
export const SYNC_JOBS_AT_ONCE = 5;

/** custom_lora_url must be a Replicate-hosted trained LoRA; anything else fails the job. */
export const CUSTOM_LORA_URL_PATTERN =
	/^https:\/\/(replicate\.delivery\/pbxt|pbxt\.replicate\.delivery)\/.+\/trained_model\.tar$/;

export const CREDENTIAL_NAME = 'segmindApi';
export const MODEL_SLUG = 'face-to-many';
