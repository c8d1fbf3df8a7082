import type { Operation } from './operation';
import { balanceJson } from './credits';

/** Get Credit Balance: the account's credits (free to call). */
export const getCredits: Operation<void> = {
	option: {
		name: 'Get Credit Balance',
		value: 'getCredits',
		action: 'Get the credit balance',
		description: 'Return the Segmind credits left on the account (free to call): credits and free_credits',
	},
	fields: [],
	sendsJob: false,
	async prepare() {},
	async execute(item) {
		return { json: balanceJson(await item.client.credits()) };
	},
};
