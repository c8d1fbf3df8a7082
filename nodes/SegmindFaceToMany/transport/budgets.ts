import { createHash } from 'node:crypto';

import { ExecutionCancelledError, throwIfAborted } from '../helpers/abort';
import { DurationStats, JobDurations } from '../helpers/jobDurations';
import { trimSlash } from '../helpers/values';
import { KeyMemory } from './keyMemory';
import { RateLimitLearner } from './rateLimit';
import type { RequestKind } from './requestKind';
import { RequestBudget, type BudgetMember, type RequestScheduler, type Ticket } from './scheduler';

/*
 * One request budget per API key in this n8n process.
 *
 * Segmind limits requests per key, not per execution. When a webhook, form or chat starts many
 * executions at once, each with one item, they all draw on the same limit: so they share one
 * RequestBudget (the pause, the queue, the requests in flight) while any of them runs. What was
 * learned about the key (its rate limit, whether status checks count, how long jobs take)
 * outlives them: it is remembered for an hour after the key was last used (KeyMemory), so the
 * editor's next run or a schedule every minute starts from it instead of from scratch.
 * Everything is keyed by a SHA-256 of the base URL and the key, never the key. The live budget,
 * with its timer, is dropped when the last execution using it ends.
 * In queue mode every worker process has its own registry and learns its own share of the limit.
 */

/** What is remembered of a key between executions. */
interface Knowledge {
	limits: RateLimitLearner;
	durations: DurationStats;
}

interface Entry {
	budget: RequestBudget;
	knowledge: Knowledge;
	leases: number;
}

const live = new Map<string, Entry>();

const memory = new KeyMemory<Knowledge>(() => ({ limits: new RateLimitLearner(), durations: new DurationStats() }));

/** A one-way fingerprint of the credential: what the registry is keyed by. */
export function credentialFingerprint(apiKey: string, baseUrl: string): string {
	return createHash('sha256').update(`${trimSlash(baseUrl)}\n${apiKey}`).digest('hex');
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
		this.durations = new JobDurations(entry.knowledge.durations, jobs, priorMs);
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

	async acquire(kind: RequestKind, signal?: AbortSignal, due?: number): Promise<Ticket> {
		throwIfAborted(signal);
		if (this.closed) throw new ExecutionCancelledError();
		return await this.entry.budget.acquire(kind, signal, due, this);
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
	const now = options.now ?? Date.now;
	let entry = live.get(id);
	if (!entry) {
		const knowledge = memory.recall(id, now());
		entry = { budget: new RequestBudget({ now: options.now, sleep: options.sleep, limits: knowledge.limits }), knowledge, leases: 0 };
		live.set(id, entry);
	}
	const held = entry;
	held.leases++;
	const lease = new BudgetLease(
		held,
		() => {
			held.leases--;
			if (held.leases > 0 || live.get(id) !== held) return;
			live.delete(id);
			held.budget.close();
			memory.keep(id, held.knowledge, now());
		},
		options.jobs ?? 0,
		options.priorMs,
	);
	held.budget.join(lease, { maxRequestsPerMinute: options.maxRequestsPerMinute, onPause: options.onPause });
	return lease;
}

/** How many keys have a live budget (tests: none once every execution has ended). */
export function liveBudgets(): number {
	return live.size;
}

/** How many keys are remembered now (tests). */
export function rememberedKeys(now = Date.now()): number {
	return memory.size(now);
}

/** Forget what was learned about every key (tests: each starts from nothing). */
export function forgetKeys(): void {
	memory.clear();
}

/** What is remembered about a credential's key now (tests and the simulation). */
export function learnedAbout(credential: { apiKey: string; baseUrl: string }, now = Date.now()): RateLimitLearner['learned'] | undefined {
	const id = credentialFingerprint(credential.apiKey, credential.baseUrl);
	const known = live.get(id)?.knowledge ?? (memory.size(now) ? memory.peek(id) : undefined);
	return known?.limits.learned;
}
