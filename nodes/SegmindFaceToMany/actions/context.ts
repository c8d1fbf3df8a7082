import type { IExecuteFunctions } from 'n8n-workflow';

import type { JobDurations } from '../helpers/polling';
import type { SegmindClient } from '../transport/client';
import type { RequestScheduler } from '../transport/scheduler';
import type { RunOptions } from '../validation';

/** What every operation needs for one node run. */
export interface RunContext {
	ctx: IExecuteFunctions;
	client: SegmindClient;
	options: RunOptions;
	baseUrl: string;
	signal?: AbortSignal;
	/** Shared by all items of the run: the request budget, and how long jobs took so far. */
	scheduler: RequestScheduler;
	durations: JobDurations;
}
