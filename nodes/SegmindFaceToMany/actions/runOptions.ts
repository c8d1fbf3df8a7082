import type { IExecuteFunctions } from 'n8n-workflow';

import { commonOptionsField, optionOf, runOptionsField } from './common.fields';
import { readCollection, ValidationFailure, labelOf } from '../helpers/parameters';
import type { PollingMode } from '../helpers/polling';

export type OutputMode = 'binary' | 'url' | 'both';

/** "Options" and "Advanced Options": how the run behaves (see commonOptionsField and runOptionsField). */
export interface RunOptions {
	binaryPropertyOutput: string;
	checkCreditsFirst: boolean;
	expectedJobSeconds: number;
	maxConcurrency: number;
	maxImageSizeMb: number;
	maxInputImageSizeMb: number;
	maxRequestsPerMinute: number;
	maxRetries: number;
	minimumCredits: number;
	output: OutputMode;
	pollIntervalSeconds: number;
	pollingMode: PollingMode;
	timeoutSeconds: number;
}

const outputField = optionOf(commonOptionsField, 'binaryPropertyOutput');

/** Read and check both collections (from the first item: they set how the whole run behaves). */
export function readRunOptions(ctx: IExecuteFunctions): RunOptions {
	const options = {
		...readCollection(ctx, commonOptionsField, 0),
		...readCollection(ctx, runOptionsField, 0),
	} as unknown as RunOptions;
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
