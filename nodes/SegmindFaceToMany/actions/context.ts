import type { IExecuteFunctions } from 'n8n-workflow';

import type { SegmindClient } from '../transport/client';
import type { RunOptions } from '../validation';

/** What every operation needs for one node run. */
export interface RunContext {
	ctx: IExecuteFunctions;
	client: SegmindClient;
	options: RunOptions;
	baseUrl: string;
	signal?: AbortSignal;
}
