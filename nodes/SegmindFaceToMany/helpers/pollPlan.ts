import { durationQuantileMs, typicalMs, type DurationRange } from './jobDurations';

export type PollingMode = 'adaptive' | 'fixed';

/** After the first check, the next comes after this share of the time waited so far (a job is found at most ~9 % late)… */
export const STEP_SHARE = 0.09;

/** …or this share when checks are scarce (a rate limit that counts them is known, or a cap is set). */
export const ECONOMICAL_STEP_SHARE = 0.2;

/** A batch's first checks are spread over this share of their quantile (see nextPollDelayMs). */
export const FIRST_CHECK_SPREAD = 0.2;

/** Longest adaptive interval, in units of the poll interval. */
export const ADAPTIVE_CAP_UNITS = 10;

/**
 * While nothing is measured on the key, one job (the scout) is also checked at this share of the
 * typical time: one request per key that finds out at once when jobs are much faster than
 * expected (a faster Segmind, a wrong Expected Job Time), so every waiting job is re-planned.
 */
export const SCOUT_SHARE = 0.3;

/** When the scout's early look comes, in ms after the submit. */
export function scoutCheckMs(unitMs: number, durations?: DurationRange): number {
	return Math.max(2 * unitMs, SCOUT_SHARE * typicalMs(durations));
}

/** Time kept after the last status check for the result and the download: this share of the item's time… */
export const RESERVE_SHARE = 0.2;

/** …at most this much. */
export const RESERVE_MAX_MS = 5000;

/**
 * The wait before the next status check, `elapsedMs` after submitting, with `checks` done.
 * - fixed: always the interval.
 * - adaptive: the first check when the job is likely done, for the whole batch. Items of a run
 *   come out together, and every check of a job that is still running spends the rate limit that
 *   later checks need; so with `waiting` jobs in flight on the key, the first check comes at the
 *   time by which a share (n − 1) / (n + 1) of jobs are done: early (the fast end of the range)
 *   for one job, near the slowest expected for a batch. With checks scarce, at n / (n + 1). Each
 *   job draws its share at random from the top fifth of that (0.8 to 1 times it), so a batch is
 *   collected while its last jobs finish, not all after them.
 *   Job times are Segmind's ~22 s until this key's jobs have been measured (durationQuantileMs).
 * - then, while the job runs: after 9 % of the time waited so far (20 % when scarce), between one
 *   and ten poll intervals, so a job is found at most about that late.
 * The item's Timeout clips all of this (see fitToDeadline).
 */
export function nextPollDelayMs(
	elapsedMs: number,
	checks: number,
	options: { unitMs: number; mode: PollingMode; durations?: DurationRange; economical?: boolean; random?: () => number },
): number {
	const { unitMs: u, mode, durations, economical, random = Math.random } = options;
	if (mode === 'fixed') return u;
	if (checks === 0) {
		const n = Math.max(1, durations?.waiting ?? 1);
		const share = economical ? n / (n + 1) : (n - 1) / (n + 1);
		const first = Math.max(2 * u, durationQuantileMs(share * (1 - FIRST_CHECK_SPREAD * random()), durations));
		// Planned again after the job times turned out shorter: its time may have come already.
		return Math.max(0, first - elapsedMs);
	}
	const step = economical ? ECONOMICAL_STEP_SHARE : STEP_SHARE;
	return Math.min(ADAPTIVE_CAP_UNITS * u, Math.max(u, step * elapsedMs));
}

/**
 * A planned wait fitted to the item's Timeout, so that a job done well inside it is delivered
 * whatever the plan expected. `startedAt` is when the wait for the job began and `deadline`
 * when the item's time runs out; a reserve is kept after the last check for the result and the
 * download (RESERVE_SHARE of the time, at most RESERVE_MAX_MS):
 * - the first check comes no later than halfway to the last moment a check can still be of use
 *   (`deadline − reserve`), so it never lands at the deadline;
 * - a check lands at `deadline − reserve` at the latest; after that, checks go on until the deadline.
 */
export function fitToDeadline(waitMs: number, options: { now: number; checks: number; startedAt: number; deadline: number }): number {
	const { now, checks, startedAt, deadline } = options;
	const reserve = Math.min(RESERVE_MAX_MS, RESERVE_SHARE * (deadline - startedAt));
	const lastUseful = deadline - reserve;
	let wait = waitMs;
	if (checks === 0) wait = Math.min(wait, (lastUseful - now) / 2);
	wait = Math.min(wait, now < lastUseful ? lastUseful - now : deadline - now);
	return Math.max(0, wait);
}
