import type { IExecuteFunctions, INodeExecutionData, INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { OperationName } from './common.fields';
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
	/** Longest time one item may hold a connection: the legacy sync call holds one for the whole job. */
	holdsConnection?: boolean;
	prepare(ctx: IExecuteFunctions, i: number, env: PrepareEnv): Promise<Plan>;
	execute(item: ItemRun, plan: Plan): Promise<INodeExecutionData>;
}
