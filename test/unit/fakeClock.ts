import type { RequestKind, RequestScheduler as Budget, Ticket } from '../../nodes/SegmindFaceToMany/transport/scheduler';


/** A clock the test moves by hand; the scheduler's wake-up sleeps run on it. */
export function fakeClock() {
	let t = 0;
	const timers: Array<{ at: number; resolve: () => void }> = [];
	const flush = async () => {
		for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
	};
	return {
		now: () => t,
		sleep: async (ms: number, signal: AbortSignal) =>
			await new Promise<void>((resolve, reject) => {
				const timer = { at: t + ms, resolve };
				timers.push(timer);
				signal.addEventListener('abort', () => {
					timers.splice(timers.indexOf(timer), 1);
					reject(new Error('aborted'));
				});
			}),
		/** Move time forward, firing due timers in order. */
		async advance(ms: number) {
			const target = t + ms;
			await flush();
			for (;;) {
				timers.sort((a, b) => a.at - b.at);
				const next = timers[0];
				if (!next || next.at > target) break;
				timers.shift();
				t = next.at;
				next.resolve();
				await flush();
			}
			t = target;
			await flush();
		},
		flush,
	};
}

/** Track which acquires were granted, in order. */
export function recorder(scheduler: Budget) {
	const granted: string[] = [];
	const tickets = new Map<string, Ticket>();
	const acquire = (name: string, kind: RequestKind, signal?: AbortSignal) => {
		const promise = scheduler.acquire(kind, signal).then((ticket) => {
			granted.push(name);
			tickets.set(name, ticket);
			return ticket;
		});
		// A wait the test leaves behind is rejected when the budget closes: nobody needs to see it.
		promise.catch(() => undefined);
		return promise;
	};
	return { granted, tickets, acquire };
}
