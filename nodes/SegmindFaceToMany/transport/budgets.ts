import { createHash } from 'node:crypto';

import { ExecutionCancelledError, throwIfAborted } from '../helpers/abort';
import { DurationStats, JobDurations } from '../helpers/polling';
import { RequestBudget, type BudgetMember, type RequestKind, type RequestScheduler, type Ticket } from './scheduler';

/*
 * One request budget per API key in this n8n process.
 *
 * Segmind limits requests per key, not per execution. When a webhook, form or chat starts many
 * executions at once, each with one item, they all draw on the same limit: so they share one
 * RequestBudget (what was learned from a 429, the pause, the pacing) and one record of how long
 * jobs take. The registry is keyed by a SHA-256 of the base URL and the key, never the key.
 * An entry lives while at least one execution holds a lease on it, and is dropped (with its
 * timer) when the last one ends: nothing is left behind when no execution uses the key.
 * In queue mode every worker process has its own registry, so its own budget.
 */

interface Entry {
	budget: RequestBudget;
	durations: DurationStats;
	leases: number;
}

const entries = new Map<string, Entry>();

/** A one-way fingerprint of the credential: what the registry is keyed by. */
export function credentialFingerprint(apiKey: string, baseUrl: string): string {
	return createHash('sha256').update(`${baseUrl.replace(/\/+$/, '')}\n${apiKey}`).digest('hex');
}

/**
 * One execution's use of the shared budget. Requests go through the shared RequestBudget; a
 * Stop or the end of the execution (close) rejects only this execution's waiting requests.
 */
export class BudgetLease implements RequestScheduler {
	private closed = false;

	/** This execution's view of the key's job durations (adaptive polling learns from every execution). */
	readonly durations: JobDurations;

	constructor(
		private readonly entry: Entry,
		private readonly release: () => void,
		jobs: number,
		priorMs?: number,
	) {
		this.durations = new JobDurations(entry.durations, jobs, priorMs);
	}

	get constrained(): boolean {
		return this.entry.budget.constrained;
	}

	get pausedUntil(): number {
		return this.entry.budget.pausedUntil;
	}

	/** What the shared budget learned, for tests and the log. */
	get learned(): RequestBudget['learned'] {
		return this.entry.budget.learned;
	}

	async acquire(kind: RequestKind, signal?: AbortSignal): Promise<Ticket> {
		throwIfAborted(signal);
		if (this.closed) throw new ExecutionCancelledError();
		return await this.entry.budget.acquire(kind, signal, this);
	}

	/** End of this execution: its waiting requests are rejected; the budget lives on for the others. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		this.durations.close();
		this.entry.budget.leave(this);
		this.release();
	}
}

export interface LeaseOptions extends BudgetMember {
	/** Jobs this execution will wait for (adaptive polling plans first checks for all jobs waiting on the key). */
	jobs?: number;
	/** "Expected Job Time" of this execution, in ms. */
	priorMs?: number;
	/** For tests with a fake clock. */
	now?: () => number;
	sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Take a lease on the budget of this credential (creating it if no execution uses it now). */
export function acquireBudget(credential: { apiKey: string; baseUrl: string }, options: LeaseOptions = {}): BudgetLease {
	const id = credentialFingerprint(credential.apiKey, credential.baseUrl);
	let entry = entries.get(id);
	if (!entry) {
		entry = { budget: new RequestBudget({ now: options.now, sleep: options.sleep }), durations: new DurationStats(), leases: 0 };
		entries.set(id, entry);
	}
	const held = entry;
	held.leases++;
	const lease = new BudgetLease(
		held,
		() => {
			held.leases--;
			if (held.leases > 0 || entries.get(id) !== held) return;
			entries.delete(id);
			held.budget.close();
		},
		options.jobs ?? 0,
		options.priorMs,
	);
	held.budget.join(lease, { maxRequestsPerMinute: options.maxRequestsPerMinute, onPause: options.onPause });
	return lease;
}

/** How many keys have a live budget (tests: none once every execution has ended). */
export function liveBudgets(): number {
	return entries.size;
}
