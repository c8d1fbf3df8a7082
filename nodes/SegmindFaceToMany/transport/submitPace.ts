/** Requests a job needs at least: its submit, a status check and its result. */
export const REQUESTS_PER_JOB = 3;

/**
 * While the limit counts status checks, new jobs start at the pace their jobs can be finished:
 * each needs a submit, a check and its result, so a window earns a third of its limit in
 * submits (unused credit is kept up to one window's worth, rounded up; a limit of 1 a window
 * starts a job every third window). A batch larger than the rate allows is fed in at that pace
 * instead of starting jobs whose checks the limit cannot serve before their Timeout.
 */
export class SubmitPace {
	private credit = 0;

	/** Whether a new job must wait for more credit. */
	get held(): boolean {
		return this.credit < 1;
	}

	/** A window begins after a 429 with `limit`: one window's worth. */
	fill(limit: number): void {
		this.credit = cap(limit);
	}

	/** `windows` windows ended under `limit`. */
	earn(windows: number, limit: number): void {
		this.credit = Math.min(cap(limit), this.credit + (windows * limit) / REQUESTS_PER_JOB);
	}

	spend(): void {
		this.credit--;
	}
}

/** The most credit kept: one window's worth, rounded up. */
function cap(limit: number): number {
	return Math.max(1, Math.ceil(limit / REQUESTS_PER_JOB));
}
