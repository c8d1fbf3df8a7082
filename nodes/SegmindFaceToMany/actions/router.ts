import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';

import { runBatch } from './batch';
import type { OperationName } from './operationTraits';
import { generate } from './generate.operation';
import { generateSync } from './generateSync.operation';
import { getCredits } from './getCredits.operation';
import { getResult } from './getResult.operation';
import type { Operation } from './operation';
import { submit } from './submit.operation';

/** Every operation, by its value. */
export const operations: Record<OperationName, Operation<never>> = {
	generate: generate as Operation<never>,
	submit: submit as Operation<never>,
	getResult: getResult as Operation<never>,
	generateSync: generateSync as Operation<never>,
	getCredits: getCredits as Operation<never>,
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
	const name = this.getNodeParameter('operation', 0, 'generate') as OperationName;
	const operation = operations[name];
	if (!operation) throw new NodeOperationError(this.getNode(), `The operation "${name}" is not known`);
	return await runBatch(this, operation);
}
