import type { IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_NAME, DEFAULT_BASE_URL, DEFAULT_UPLOAD_BASE_URL, SYNC_JOBS_AT_ONCE } from '../constants';
import { orphanedJobs } from '../errors/messages';
import { errorItemJson, errorOutputJson, toNodeError } from '../errors/toNodeError';
import { ExecutionCancelledError } from '../helpers/abort';
import { mapWithConcurrency } from '../helpers/concurrency';
import { checkCredits } from './credits';
import { readRunOptions, type RunOptions } from './runOptions';
import { isToolMode, toolAnswer, toolAnswersErrors, toolError, toolRunOptions } from './toolMode';
import { createRunContext, type ItemRun, type RunContext } from './context';
import type { Operation } from './operation';

type Outcome = { item: INodeExecutionData } | { fatal: NodeApiError | NodeOperationError };
type Prepared<P> = { plan: P } | { outcome: Outcome };

/**
 * One node run of `operation` over the input items:
 * 1. read and check every item (bad input spends nothing: a bad item 9 fails before item 1 is sent);
 * 2. "Check Credits First", once;
 * 3. run the items within the request budget, keeping their order and pairedItem;
 * 4. a failed item follows the node's error setting: Continue (an error item, or the error
 *    output), an agent's tool (a short answer), or Stop: the node fails, naming every billed job
 *    it leaves undelivered.
 */
export async function runBatch<P>(ctx: IExecuteFunctions, operation: Operation<P>): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const node = ctx.getNode();
	const toolMode = isToolMode(ctx);
	const continueOnFail = ctx.continueOnFail();
	// "Continue (using error output)" needs its own error JSON shape (see errorOutputJson).
	const itemJson = node.onError === 'continueErrorOutput' ? errorOutputJson : errorItemJson;
	const credentials = await ctx.getCredentials(CREDENTIAL_NAME);
	const baseUrl = String(credentials.baseUrl || DEFAULT_BASE_URL);
	const uploadBaseUrl = String(credentials.uploadBaseUrl || DEFAULT_UPLOAD_BASE_URL);
	const errorContext = { batchSize: items.length, secrets: [String(credentials.apiKey ?? '')] };
	/** An item's failure as the node's error setting wants it; `shared`: the same for every item (no item number). */
	const failed = (error: unknown, i: number, shared = false): Outcome => {
		const nodeError = toNodeError(node, error, i, shared ? { ...errorContext, batchSize: 1 } : errorContext);
		const cancelled = error instanceof ExecutionCancelledError;
		if (toolMode && toolAnswersErrors(node) && !cancelled) return { item: { json: toolError(nodeError), pairedItem: { item: i } } };
		if (!continueOnFail || cancelled) return { fatal: nodeError };
		return { item: { json: itemJson(nodeError), pairedItem: { item: i } } };
	};

	let options: RunOptions;
	try {
		options = readRunOptions(ctx);
	} catch (error) {
		return finish(items.map((_, i) => failed(error, i, true)));
	}
	if (toolMode) options = toolRunOptions(options);

	// 1. Every item read and checked before anything is sent.
	const prepared: Array<Prepared<P>> = [];
	for (let i = 0; i < items.length; i++) {
		try {
			prepared.push({ plan: await operation.prepare(ctx, i, { options, baseUrl, toolMode }) });
		} catch (error) {
			prepared.push({ outcome: failed(error, i) });
		}
	}
	if (prepared.some((entry) => 'outcome' in entry && 'fatal' in entry.outcome)) {
		return finish(prepared.map((entry) => ('outcome' in entry ? entry.outcome : { item: { json: {} } })));
	}

	// One signal for the run: the user's Stop, or the first fatal item error (so the other
	// items stop instead of running on after the node has already failed).
	const controller = new AbortController();
	const executionSignal = ctx.getExecutionCancelSignal?.();
	const onCancel = () => controller.abort();
	if (executionSignal?.aborted) controller.abort();
	executionSignal?.addEventListener('abort', onCancel, { once: true });
	// Jobs this run waits for: adaptive polling plans the first checks of all jobs on the key.
	const jobs = operation.waitsForJobs ? prepared.filter((entry) => 'plan' in entry).length : 0;
	const apiKey = errorContext.secrets[0];
	const run = createRunContext(ctx, options, { baseUrl, uploadBaseUrl, apiKey }, controller.signal, jobs);
	// One listener on the run's signal aborts the items in flight (one per item would pass Node's
	// limit of 10 listeners per signal once more than 10 items are in flight).
	const itemControllers = new Set<AbortController>();
	const abortItems = () => itemControllers.forEach((item) => item.abort());
	controller.signal.addEventListener('abort', abortItems, { once: true });
	/** Jobs Segmind accepted (and bills) whose image this run has not delivered yet, by item. */
	const undelivered = new Map<number, string>();

	try {
		// 2. "Check Credits First": one balance read, after the checks, before anything is sent.
		if (operation.sendsJob && options.checkCreditsFirst && prepared.some((entry) => 'plan' in entry)) {
			const balance = await checkCredits(run.client, options.minimumCredits).then(
				() => undefined,
				(error: unknown) => error,
			);
			if (balance !== undefined) {
				prepared.forEach((entry, i) => {
					if ('plan' in entry) prepared[i] = { outcome: failed(balance, i, true) };
				});
			}
		}

		// 3. The items: no cap by default, their jobs wait at Segmind and the request budget paces
		// them; the legacy sync call holds a connection per job, so it runs a few at a time.
		let fatal: Outcome | undefined;
		const limit = options.maxConcurrency > 0 ? options.maxConcurrency : operation.holdsConnection ? SYNC_JOBS_AT_ONCE : 0;
		const outcomes = await mapWithConcurrency(
			prepared,
			limit,
			async (entry, i): Promise<Outcome> => {
				if ('outcome' in entry) return entry.outcome;
				const outcome = await runItem(run, operation, entry.plan, i, { toolMode, undelivered, itemControllers }).then(
					(item): Outcome => ({ item }),
					(error: unknown) => failed(executionSignal?.aborted ? new ExecutionCancelledError() : error, i),
				);
				if ('fatal' in outcome && !fatal) {
					fatal = outcome;
					controller.abort();
				}
				return outcome;
			},
			() => fatal !== undefined,
		);
		if (fatal && 'fatal' in fatal) return finish([fatal], undelivered);
		return finish(outcomes.map((outcome) => outcome ?? { item: { json: {} } }), undelivered);
	} finally {
		run.scheduler.close();
		controller.signal.removeEventListener('abort', abortItems);
		executionSignal?.removeEventListener('abort', onCancel);
	}
}

/** One item: its own signal (fed by the run's) and client, then the operation. */
async function runItem<P>(
	run: RunContext,
	operation: Operation<P>,
	plan: P,
	i: number,
	batch: { toolMode: boolean; undelivered: Map<number, string>; itemControllers: Set<AbortController> },
): Promise<INodeExecutionData> {
	const { toolMode, undelivered, itemControllers } = batch;
	// Each item gets its own signal (aborted with the run's): every wait and request adds an abort
	// listener, and one shared signal would collect one per item in flight.
	const itemController = new AbortController();
	if (run.signal?.aborted) itemController.abort();
	itemControllers.add(itemController);
	const item: ItemRun = {
		...run,
		i,
		signal: itemController.signal,
		// The item's own client: its Stop, and its Timeout as one deadline for all it does.
		client: run.client.forItem({ signal: itemController.signal, timeoutMs: run.options.timeoutSeconds * 1000 }),
		onSubmitted: (requestId) => undelivered.set(i, requestId),
	};
	try {
		const startedAt = Date.now();
		const output = await operation.execute(item, plan);
		undelivered.delete(i);
		return { ...(toolMode ? toolAnswer(output, Date.now() - startedAt) : output), pairedItem: { item: i } };
	} finally {
		itemControllers.delete(itemController);
	}
}

/** The node's output, or its failure: the first fatal error, naming the billed jobs left undelivered. */
function finish(outcomes: Outcome[], undelivered = new Map<number, string>()): INodeExecutionData[][] {
	const fatal = outcomes.find((outcome): outcome is { fatal: NodeApiError | NodeOperationError } => 'fatal' in outcome);
	if (fatal) {
		// The failing item's own job is named in its own error already.
		const own = fatal.fatal.context.request_id;
		throw orphanedJobs(fatal.fatal, [...undelivered.values()].filter((id) => id !== own));
	}
	return [outcomes.map((outcome) => (outcome as { item: INodeExecutionData }).item)];
}
