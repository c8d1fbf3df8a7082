import { Deadline, itemTimeUp, type ItemClock } from './deadline';
import type { RequestKind } from './requestKind';
import type { RequestScheduler, Ticket } from './scheduler';

/**
 * Wait for the request budget. Once the item has started (its first request was granted), the
 * wait ends at the item's deadline. Before that, the item only waits in line behind the others
 * (a batch larger than the rate limit allows queues its later items) and its Timeout does not
 * run, except when Segmind has paused everyone with a 429 for longer than the Timeout: then the
 * item fails (nothing was sent for it).
 * A ticket granted after the wait gave up is handed back at once (nothing is left unanswered).
 */
export async function waitForBudget(
	scheduler: RequestScheduler,
	kind: RequestKind,
	clock: ItemClock | undefined,
	signal: AbortSignal | undefined,
): Promise<Ticket> {
	const started = () => clock?.deadline !== undefined;
	if (clock && !started() && scheduler.pausedUntil > Date.now() + clock.timeoutMs) throw itemTimeUp(false);
	// One place in line, kept however long the wait: `place` gives it up (so does the user's Stop).
	const place = new AbortController();
	const onStop = () => place.abort();
	if (signal?.aborted) place.abort();
	signal?.addEventListener('abort', onStop, { once: true });
	const pending = scheduler.acquire(kind, place.signal, clock?.deadline).then(
		(ticket) => ({ ticket }),
		(error: unknown) => ({ error }),
	);
	try {
		for (;;) {
			const outcome = clock ? await firstOf(pending, clock.deadline ?? Date.now() + clock.timeoutMs) : await pending;
			if (outcome && 'ticket' in outcome) return outcome.ticket;
			if (outcome) throw outcome.error;
			// Waited in line a whole Timeout without starting, and no 429 pause holds it for another whole
			// Timeout (a probe's 429 pauses the key to the end of its window): keep its place.
			if (clock && !started() && scheduler.pausedUntil <= Date.now() + clock.timeoutMs) continue;
			place.abort();
			const late = await pending;
			if ('ticket' in late) late.ticket.failed();
			throw itemTimeUp(false);
		}
	} finally {
		signal?.removeEventListener('abort', onStop);
	}
}

/** `pending`'s outcome, or undefined when `at` (epoch ms) comes first. */
async function firstOf<T>(pending: Promise<T>, at: number): Promise<T | undefined> {
	const timer = new Deadline(at);
	try {
		return await Promise.race([pending, timer.reached().then(() => undefined)]);
	} finally {
		timer.dispose();
	}
}
