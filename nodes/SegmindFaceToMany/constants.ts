/** Facts of Segmind's face-to-many API, each declared once (the README says them to users). */

/** The six styles, spelled exactly as Segmind expects them. */
export const STYLES = ['3D', 'Emoji', 'Video game', 'Pixels', 'Clay', 'Toy'] as const;
export type Style = (typeof STYLES)[number];

export const MAX_SEED = 4294967295;

/** The legacy sync call holds a connection for a whole job: this many at once unless Max Jobs in Flight is set. */
export const SYNC_JOBS_AT_ONCE = 5;

/** custom_lora_url must be a Replicate-hosted trained LoRA; anything else fails the job. */
export const CUSTOM_LORA_URL_PATTERN =
	/^https:\/\/(replicate\.delivery\/pbxt|pbxt\.replicate\.delivery)\/.+\/trained_model\.tar$/;

export const CREDENTIAL_NAME = 'segmindApi';
export const MODEL_SLUG = 'face-to-many';

/** The credential's defaults (credentials/SegmindApi.credentials.ts): where the API and asset uploads are served. */
export const DEFAULT_BASE_URL = 'https://api.segmind.com';
export const DEFAULT_UPLOAD_BASE_URL = 'https://workflows-api.segmind.com';

/** Segmind keeps a job's status and result this long after submission. */
export const RESULT_RETENTION = '1 hour';

/** How long an output image link (output_url) can be downloaded. */
export const OUTPUT_LINK_LIFETIME = '7 days';
