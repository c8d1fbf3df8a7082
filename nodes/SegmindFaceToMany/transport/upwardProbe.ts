import type { LimitWindows } from './limitWindows';

/** Clean windows a process must have been held back by its estimate before it probes above it; doubles after each failed probe, up to this. */
export const MAX_PROBE_GAP = 32;

/** A probe above the estimate starts no earlier than this share into the window (the other users of the key have had their turn by then). */
export const PROBE_AFTER_SHARE = 0.5;

/** A probe window lets at most this share of the estimate (at least one request) past it: the estimate at most doubles a window. */
export const PROBE_STEP_SHARE = 1;

/**
 * When a learned limit is probed upward (the recovery; see RateLimitLearner). After `gap` clean
 * windows in which the process was held back by its estimate, the next window lets requests
 * past it, one at a time, from its middle on, up to doubling it. Probes that pass grow the
 * estimate, and the window after probes again; a 429 ends the probe: if the estimate it leaves
 * is no higher, the probe failed and the gap doubles. A 429 outside a probe that lowers the
 * estimate (another user of the key took more) sets the gap back to 1.
 */
export class UpwardProbe {
	/** In this window a request waited for the next one because of the estimate. */
	private heldBack = false;

	private cleanHeld = 0;

	private gap = 1;

	/** This window may go past the estimate. */
	private active = false;

	private out = false;

	/** Requests past the estimate that went through in this window. */
	private passed = 0;

	/** A request waited for the next window because of the estimate. */
	held(): void {
		this.heldBack = true;
	}

	/** Whether one more request may go past the estimate now. */
	mayGo(now: number, windows: LimitWindows, estimate: number): boolean {
		return this.open(estimate) && now >= windows.middle(PROBE_AFTER_SHARE);
	}

	/** When a held request may go next: the window's middle while a probe may still go, else its end. */
	nextAt(windows: LimitWindows, estimate: number): number {
		return this.open(estimate) ? windows.middle(PROBE_AFTER_SHARE) : (windows.end ?? Number.POSITIVE_INFINITY);
	}

	sent(): void {
		this.out = true;
	}

	/** A probe's answer: `passedInWindow` when it went through in the window it was sent in. */
	answered(passedInWindow: boolean): void {
		this.out = false;
		if (passedInWindow) this.passed++;
	}

	/** A 429 taught the estimate `after` (it was `before`). */
	learned(before: number | undefined, after: number | undefined): void {
		if (this.active) this.gap = after !== undefined && before !== undefined && after > before ? 1 : Math.min(MAX_PROBE_GAP, this.gap * 2);
		else if (before !== undefined && after !== undefined && after < before) this.gap = 1;
		this.cleanHeld = 0;
		this.newWindow(false);
	}

	/**
	 * `ended` windows ended (1: the one just before). Returns true when the probes of the one that
	 * ended went through without a 429 (the caller raises the estimate to what the window let through).
	 */
	windowsEnded(ended: number, probeable: boolean): boolean {
		const found = this.active && this.passed > 0;
		let next = false;
		if (this.active) {
			if (found) this.gap = 1;
			this.cleanHeld = 0;
			// Found room: look for more in the next window right away.
			next = found && this.heldBack && ended === 1;
		} else if (this.heldBack) {
			this.cleanHeld++;
			next = ended === 1 && this.cleanHeld >= this.gap;
		}
		this.newWindow(next && probeable);
		return found;
	}

	private open(estimate: number): boolean {
		return this.active && !this.out && this.passed < Math.max(1, Math.ceil(estimate * PROBE_STEP_SHARE));
	}

	private newWindow(active: boolean): void {
		this.heldBack = false;
		this.passed = 0;
		this.active = active;
	}
}
