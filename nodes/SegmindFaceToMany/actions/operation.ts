import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { ItemRun, PrepareEnv } from './context';
import type { OperationName, OperationTraits } from './operationTraits';

/**
 * What an operation module declares: its entry in the Operation list, its own fields, how it reads
 * an item (before anything is sent, so bad input spends nothing) and what it does with it. What it
 * is (sends a job, waits for jobs…) is in the table of operationTraits.ts, not here.
 */
export interface OperationModule<Plan> {
	option: INodePropertyOptions & { value: OperationName };
	/** Fields only this operation shows (shared ones live beside their readers: jobInput, inputImage, runOptions). */
	fields: INodeProperties[];
	prepare(ctx: IExecuteFunctions, i: number, env: PrepareEnv): Promise<Plan>;
	execute(item: ItemRun, plan: Plan): Promise<INodeExecutionData>;
}

/** An operation as the batch runs it: its module and its traits from the table (see router.ts defineOperation). */
export type Operation<Plan> = OperationModule<Plan> & OperationTraits;
