import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { OperationName } from './operationTraits';
import type { ItemRun, PrepareEnv } from './context';

/**
 * One operation of the node: its entry in the Operation list, its own fields, how it reads an
 * item (before anything is sent, so bad input spends nothing) and what it does with it.
 */
export interface Operation<Plan = unknown> {
	option: INodePropertyOptions & { value: OperationName };
	/** Fields only this operation shows (shared ones are in common.fields.ts). */
	fields: INodeProperties[];
	/** Whether it sends a billed job (and so "Check Credits First" applies). */
	sendsJob: boolean;
	/** Whether an item holds a connection for its whole job (the legacy sync call): then a few run at a time. */
	holdsConnection?: boolean;
	/** Whether it waits for jobs at Segmind (adaptive polling plans the first checks of all of them). */
	waitsForJobs?: boolean;
	prepare(ctx: IExecuteFunctions, i: number, env: PrepareEnv): Promise<Plan>;
	execute(item: ItemRun, plan: Plan): Promise<INodeExecutionData>;
}
