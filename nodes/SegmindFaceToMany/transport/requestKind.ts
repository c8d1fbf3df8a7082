/**
 * What a request is for. When the budget is short, the most useful go first: a result finishes
 * an item, a submit starts one, a status check only looks. `long` requests (an image upload, a
 * whole v1 job) count against the budget but hold no place in the window of requests in flight.
 */
export type RequestKind = 'result' | 'other' | 'long' | 'submit' | 'status';

/** Lower goes first. */
export const PRIORITY: Record<RequestKind, number> = { result: 0, other: 1, long: 1, submit: 2, status: 3 };

/**
 * The order while a limit that counts status checks is known (requests are scarce): a started
 * job's status check goes before a new job's submit, so that jobs already billed are not left
 * unchecked past their Timeout while new ones are started.
 */
export const SCARCE_PRIORITY: Record<RequestKind, number> = { result: 0, other: 1, long: 1, status: 2, submit: 3 };

/** Requests that start a billed job: the ones a "submits only" limit counts. */
export function startsJob(kind: RequestKind): boolean {
	return kind === 'submit' || kind === 'long';
}
