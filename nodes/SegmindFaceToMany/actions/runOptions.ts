import type { IExecuteFunctions } from 'n8n-workflow';

import { type CollectionValues, declareField, labelOf, optionOf, readCollection, ValidationFailure } from '../helpers/parameters';
import { operationsThat } from './operationTraits';

/*
 * How a run behaves: "Options" and "Advanced Options", declared here (the panel shows these
 * objects; RunOptions and the checks derive from them) and read once per run.
 */

/** Operations that neither send nor wait for a job (Get Credit Balance): no run options to set. */
const NO_JOB_OPERATIONS = operationsThat((traits) => !traits.sendsJob && !traits.waitsForJobs);

/**
 * The run controls people reach for, in the order they need them: what a finished job returns,
 * where the image goes, and the credit check. (Four at most show at once, so n8n's lint leaves
 * their order to us; the rarer controls are in Advanced Options.)
 */
export const commonOptionsField = declareField({
	displayName: 'Options',
	name: 'commonOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { hide: { operation: NO_JOB_OPERATIONS } },
	options: [
		{
			displayName: 'Output',
			name: 'output',
			type: 'options',
			default: 'binary',
			displayOptions: { show: { '/operation': operationsThat('returnsLink') } },
			options: [
				{
					name: 'Binary',
					value: 'binary',
					description: 'Download the image into n8n binary data, with its metadata as JSON (no expiring link)',
				},
				{
					name: 'Both',
					value: 'both',
					description: 'The image as binary data and its output_url (the link expires after 7 days)',
				},
				{
					name: 'URL Only',
					value: 'url',
					description: 'No download: only output_url, for passing the link on (it expires after 7 days)',
				},
			],
			description: 'What the node returns for a finished job',
		},
		{
			displayName: 'Put Output File in Field',
			name: 'binaryPropertyOutput',
			type: 'string',
			default: 'data',
			displayOptions: { show: { '/operation': operationsThat('returnsImage') } },
			hint: 'The name of the output binary field to put the image in',
			description: 'Name of the binary field the image is written to',
		},
		{
			displayName: 'Check Credits First',
			name: 'checkCreditsFirst',
			type: 'boolean',
			default: false,
			displayOptions: { show: { '/operation': operationsThat('sendsJob') } },
			description:
				'Whether to read the credit balance once before sending anything, and stop at once when it is zero or below Minimum Credits',
		},
		{
			displayName: 'Minimum Credits',
			name: 'minimumCredits',
			type: 'number',
			default: 0,
			displayOptions: { show: { '/operation': operationsThat('sendsJob'), checkCreditsFirst: [true] } },
			typeOptions: { minValue: 0, numberPrecision: 4 },
			description: 'Stop before sending anything when the balance (credits plus free credits) is below this; 0 stops only at zero',
		},
	],
});

/**
 * The expert run controls: pacing, polling, retries, size limits and the Timeout (alphabetical, as
 * n8n's lint asks of a collection this long). Its parameter name stays `options`.
 */
export const runOptionsField = declareField({
	displayName: 'Advanced Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Advanced Option',
	default: {},
	displayOptions: { hide: { operation: NO_JOB_OPERATIONS } },
	options: [
		{
			displayName: 'Expected Job Time (Seconds)',
			name: 'expectedJobSeconds',
			type: 'number',
			default: 22,
			displayOptions: { show: { '/operation': operationsThat('waitsForJobs') } },
			typeOptions: { minValue: 0.1, maxValue: 3600, numberPrecision: 1 },
			hint: "0.1 to 3600 (default 22, Segmind's typical time for this model)",
			description:
				'How long a job usually takes at Segmind; Adaptive polling plans its first checks from it until it has measured jobs on this API key',
		},
		{
			displayName: 'Max Input Image Size (MB)',
			name: 'maxInputImageSizeMb',
			type: 'number',
			default: 10,
			displayOptions: { show: { '/operation': operationsThat('sendsJob'), '/imageSource': ['binary'] } },
			typeOptions: { minValue: 0.1, maxValue: 50, numberPrecision: 1 },
			hint: '0.1 to 50 (default 10)',
			description: 'Largest input photo accepted; a bigger file fails before anything is uploaded or sent',
		},
		{
			displayName: 'Max Jobs in Flight',
			name: 'maxConcurrency',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			hint: '0 (default): no cap, every job is sent as fast as the rate limit allows (the legacy sync call: 5 at a time)',
			description: 'Most items whose job runs at Segmind at the same time',
		},
		{
			displayName: 'Max Output Image Size (MB)',
			name: 'maxImageSizeMb',
			type: 'number',
			default: 50,
			displayOptions: { show: { '/operation': operationsThat('returnsImage') } },
			typeOptions: { minValue: 1, maxValue: 500 },
			hint: '1 to 500 (default 50)',
			description: 'Largest output image accepted; a bigger download fails the item',
		},
		{
			displayName: 'Max Requests per Minute',
			name: 'maxRequestsPerMinute',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: 1000, numberPrecision: 0 },
			hint: 'Segmind: Free 5, Pro 50; 0 (default): learn the limit from the first 429',
			description: 'Cap on API requests per minute for this API key',
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			default: 4,
			typeOptions: { minValue: 0, maxValue: 10, numberPrecision: 0 },
			hint: '0 to 10 (default 4)',
			description: 'How often a rate-limited (429) or failed status request is retried, with growing waits',
		},
		{
			displayName: 'Poll Interval (Seconds)',
			name: 'pollIntervalSeconds',
			type: 'number',
			default: 1,
			displayOptions: { show: { '/operation': operationsThat('waitsForJobs') } },
			typeOptions: { minValue: 0.1, maxValue: 60, numberPrecision: 1 },
			hint: '0.1 to 60 (default 1)',
			description:
				'Time between status checks with Fixed Interval polling; with Adaptive polling the shortest such time, which the whole schedule scales with',
		},
		{
			displayName: 'Polling',
			name: 'pollingMode',
			type: 'options',
			default: 'adaptive',
			displayOptions: { show: { '/operation': operationsThat('waitsForJobs') } },
			options: [
				{
					name: 'Adaptive',
					value: 'adaptive',
					description:
						'Check when the job is likely done (from Expected Job Time, then from measured jobs), then at growing intervals: few requests per job',
				},
				{
					name: 'Fixed Interval',
					value: 'fixed',
					description: "Check every poll interval, like Segmind's SDK",
				},
			],
			description: 'When to check whether a job is done',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			default: 600,
			typeOptions: { minValue: 1, maxValue: 3600 },
			hint: '1 to 3600 (default 600)',
			description: 'How long one item may take in all (waiting for the rate limit, the job and the download) before it fails with its request ID',
		},
	],
});

/** The run's fields, in the panel's order. */
export const runOptionsFields = [commonOptionsField, runOptionsField];

/** "Options" and "Advanced Options": how the run behaves, each with the type its declaration gives it. */
export type RunOptions = CollectionValues<typeof commonOptionsField> & CollectionValues<typeof runOptionsField>;

const outputField = optionOf(commonOptionsField, 'binaryPropertyOutput');

/** Read and check both collections (from the first item: they set how the whole run behaves). */
export function readRunOptions(ctx: IExecuteFunctions): RunOptions {
	const options: RunOptions = {
		...readCollection(ctx, commonOptionsField, 0),
		...readCollection(ctx, runOptionsField, 0),
	};
	options.binaryPropertyOutput = options.binaryPropertyOutput.trim();
	if (!/^[A-Za-z0-9_.-]+$/.test(options.binaryPropertyOutput)) {
		throw new ValidationFailure(
			labelOf(outputField),
			options.binaryPropertyOutput ? 'may only contain letters, digits, "_", "." and "-"' : 'is required',
			options.binaryPropertyOutput,
		);
	}
	return options;
}
