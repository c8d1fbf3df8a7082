import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { runBatch } from './batch';
import { generate } from './generate.operation';
import { generateSync } from './generateSync.operation';
import { getCredits } from './getCredits.operation';
import { getResult } from './getResult.operation';
import type { Operation, OperationModule } from './operation';
import { isOperationName, OPERATION_TRAITS, type OperationName } from './operationTraits';
import { submit } from './submit.operation';

/** An operation as the node holds it: its entry and fields, and a run over the items that keeps its own plan type inside. */
export interface NodeOperation {
	option: OperationModule<unknown>['option'];
	fields: INodeProperties[];
	run(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]>;
}

/** An operation module with its traits from the table, as one runner: each keeps its own plan type, no casts. */
export function defineOperation<Plan>(module: OperationModule<Plan>): NodeOperation {
	const operation: Operation<Plan> = { ...module, ...OPERATION_TRAITS[module.option.value] };
	return {
		option: module.option,
		fields: module.fields,
		run: async (ctx) => await runBatch(ctx, operation),
	};
}

/** Every operation, by its value. */
export const operations: Record<OperationName, NodeOperation> = {
	generate: defineOperation(generate),
	submit: defineOperation(submit),
	getResult: defineOperation(getResult),
	generateSync: defineOperation(generateSync),
	getCredits: defineOperation(getCredits),
};

/** The Operation list: what each gives the user, sorted by name (the legacy sync call sorts last). */
export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'generate',
	options: Object.values(operations)
		.map((operation) => operation.option)
		.sort((a, b) => a.name.localeCompare(b.name)),
};

/** The node's execute(): pick the operation, run it over the items. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const name = this.getNodeParameter('operation', 0, 'generate');
	if (!isOperationName(name)) throw new NodeOperationError(this.getNode(), `The operation "${String(name)}" is not known`);
	return await operations[name].run(this);
}
