/**
 * What a request is for. When the budget is short, the most useful go first: a result finishes
 * an item, a submit starts one, a status check only looks. `long` requests (an image upload, a
 * whole v1 job) count against the budget but hold no place in the window of requests in flight.
 */
export type RequestKind = 'result' | 'other' | 'long' | 'submit' | 'status';

/** Lower goes first. */
export const PRIORITY: Record<RequestKind, number> = { result: 0, other: 1, long: 1, submit: 2, status: 3 };

/** Requests that start a billed job: the ones a "submits only" limit counts. */
export function startsJob(kind: RequestKind): boolean {
	return kind === 'submit' || kind === 'long';
}
