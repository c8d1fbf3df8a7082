import { sleep } from 'n8n-workflow';

/**
 * Thrown when the user stops the execution; the router lets it end the run as cancelled.
 * n8n's engine marks a run "canceled" only when the error message contains "canceled" (US
 * spelling) or its name "Cancelled": keep the word, or a stopped run shows as failed.
 */
export class ExecutionCancelledError extends Error {
	constructor() {
		super('The execution was canceled');
		this.name = 'ExecutionCancelledError';
	}
}

export function throwIfAborted(signal?: AbortSignal): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}

/** Let `work` settle unobserved: a race it lost (or never ran) must not leave a rejection nobody handles. */
export function settleQuietly(work: Promise<unknown>): void {
	work.catch(() => undefined);
}

/**
 * Resolve or reject with `work`, unless `signal` aborts first. The loser is handled: `work` that
 * settles after the abort (a request answered after its deadline) rejects into nothing.
 * n8n-workflow's `sleep(ms, signal)` honours the signal only from n8n 2.34 on, and older
 * helpers ignore it, so every wait races the signal itself (see README, "Cancellation").
 */
export async function raceAbort<T>(work: Promise<T>, signal?: AbortSignal): Promise<T> {
	if (!signal) return await work;
	settleQuietly(work);
	throwIfAborted(signal);
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(new ExecutionCancelledError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		return await Promise.race([work, aborted]);
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}

/** Wait `ms`, returning early (with ExecutionCancelledError) when the execution is cancelled. */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
	throwIfAborted(signal);
	if (ms <= 0) return;
	// Passing the signal to sleep() also clears its timer on n8n ≥ 2.34 (no timer left running
	// for up to a minute after a Stop); older versions ignore it and the race still returns at once.
	const failure = await raceAbort(sleep(ms, signal), signal).then(
		() => undefined,
		(error: unknown) => error ?? new ExecutionCancelledError(),
	);
	if (failure === undefined) return;
	if (signal?.aborted) throw new ExecutionCancelledError();
	throw failure;
}
