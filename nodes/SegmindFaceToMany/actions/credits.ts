import type { IDataObject } from 'n8n-workflow';

import { SegmindFailure } from '../errors/failures';
import type { SegmindClient } from '../transport/client';
import { toNumber } from '../helpers/values';

export interface Balance {
	/** What jobs can spend: paid credits plus free credits. */
	total: number;
	credits: number;
	freeCredits: number;
}

const round = (n: number) => Number(n.toFixed(4));

/** The balance in a `GET /v1/get-user-credits` answer (`{"credits": 0.0, "free-credits": 0.0184}`). */
export function readBalance(body: IDataObject): Balance | undefined {
	const credits = toNumber(body.credits);
	const freeCredits = toNumber(body['free-credits'] ?? body.free_credits);
	if (credits === undefined && freeCredits === undefined) return undefined;
	return { total: round((credits ?? 0) + (freeCredits ?? 0)), credits: credits ?? 0, freeCredits: freeCredits ?? 0 };
}

/**
 * Segmind's balance answer with names a workflow can write as `$json.free_credits`: every "-" in a
 * field name becomes "_" (`free-credits` → `free_credits`), values unchanged.
 */
export function balanceJson(body: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(body).map(([name, value]) => [name.replace(/-/g, '_'), value]));
}

/**
 * "Check Credits First": read the balance once, before any upload or job, and fail when it is
 * zero (or less) or below "Minimum Credits", instead of every item failing with a 406.
 */
export async function checkCredits(client: SegmindClient, minimumCredits: number): Promise<Balance> {
	const body = await client.credits();
	const balance = readBalance(body);
	if (!balance) throw new SegmindFailure({ problem: 'noBalance' }, { body });
	if (balance.total > 0 && balance.total >= minimumCredits) return balance;
	throw new SegmindFailure({ problem: 'lowBalance', ...balance, minimum: minimumCredits });
}

/**
 * `cost` and `remaining_credits` of a job (from its metrics or v1 headers) as top-level fields,
 * on every job's item: null when Segmind did not report them.
 */
export function creditFields(metrics: IDataObject): { cost: number | null; remaining_credits: number | null } {
	return { cost: toNumber(metrics.cost) ?? null, remaining_credits: toNumber(metrics.remaining_credits) ?? null };
}
