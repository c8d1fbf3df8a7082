const MINUTE_MS = 60_000;

/**
 * "Max Requests per Minute": no 60 s span has more than `perMinute` requests (0: no cap).
 * With several executions on one key, the smallest of their caps applies.
 */
export class UserCap {
	private readonly sent: number[] = [];

	perMinute = 0;

	/** Ms until one more request may go (0: now). */
	delayMs(now: number): number {
		if (!this.perMinute) return 0;
		while (this.sent.length && this.sent[0] <= now - MINUTE_MS) this.sent.shift();
		if (this.sent.length < this.perMinute) return 0;
		return this.sent[this.sent.length - this.perMinute] + MINUTE_MS - now;
	}

	/** A request went at `now`. */
	record(now: number): void {
		if (this.perMinute) this.sent.push(now);
	}
}
