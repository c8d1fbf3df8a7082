import type { INodeExecutionData } from 'n8n-workflow';

import type { ItemRun } from './context';
import { balanceJson } from './credits';
import type { OperationModule } from './operation';

/** Get Credit Balance: the account's credits (free to call). */
export async function getCreditBalance(item: ItemRun): Promise<INodeExecutionData> {
	return { json: balanceJson(await item.client.credits()) };
}

/** Nothing to read from an item: the balance needs no input. */
async function readNothing(): Promise<void> {}

export const getCredits: OperationModule<void> = {
	option: {
		name: 'Get Credit Balance',
		value: 'getCredits',
		action: 'Get the credit balance',
		description: 'Return the Segmind credits left on the account (free to call): credits and free_credits',
	},
	fields: [],
	prepare: readNothing,
	execute: getCreditBalance,
};
