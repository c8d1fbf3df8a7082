import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { CREDENTIAL_NAME, SYNC_JOBS_AT_ONCE } from '../constants';
import type { Operation } from '../description';
import { errorItemJson, errorOutputJson, toNodeError } from '../errors';
import { ExecutionCancelledError } from '../helpers/abort';
import { mapWithConcurrency } from '../helpers/concurrency';
import { createRunContext, type RunContext } from './context';
import { checkCredits } from './credits';
import { generate } from './generate';
import { readBinaryImage } from './image';
import { generateSync, getCredits, getResult, submit } from './operations';
import { readJobPlan, readJobReference, readRunOptions, type JobPlan, type JobReference } from './params';
import { isToolMode, toolAnswer, toolAnswersErrors, toolError, toolRunOptions } from './tool';

type Plan = { kind: 'job'; plan: JobPlan } | { kind: 'ref'; ref: JobReference } | { kind: 'none' };

/** What one item needs, read and validated before anything is sent. */
function readPlan(ctx: IExecuteFunctions, operation: Operation, i: number, baseUrl: string): Plan {
	switch (operation) {
		case 'getCredits':
			return { kind: 'none' };
		case 'getResult':
			return { kind: 'ref', ref: readJobReference(ctx, i, baseUrl) };
		default:
			return { kind: 'job', plan: readJobPlan(ctx, i) };
	}
}

async function runItem(run: RunContext, operation: Operation, i: number, plan: Plan): Promise<INodeExecutionData> {
	if (plan.kind === 'none') return await getCredits(run);
	if (plan.kind === 'ref') return await getResult(run, i, plan.ref);
	switch (operation) {
		case 'submit':
			return await submit(run, i, plan.plan);
		case 'generateSync':
			return await generateSync(run, i, plan.plan);
		default:
			return await generate(run, i, plan.plan);
	}
}

/**
 * The node's execute(): validate every item first (bad input spends nothing), then run all
 * items at once (the request budget paces them; "Max Jobs in Flight" caps them when set),
 * keeping their order and pairedItem.
 * With Continue On Fail a failing item becomes `{ json: { error } }` and the others go on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	// "Continue (using error output)" needs its own error JSON shape (see errorOutputJson).
	const itemJson = node.onError === 'continueErrorOutput' ? errorOutputJson : errorItemJson;
	const operation = this.getNodeParameter('operation', 0, 'generate') as Operation;
	const toolMode = isToolMode(this);
	const fail = (error: unknown, i: number): INodeExecutionData => {
		const nodeError = toNodeError(node, error, i);
		if (toolMode && toolAnswersErrors(node) && !(error instanceof ExecutionCancelledError)) {
			return { json: toolError(nodeError), pairedItem: { item: i } };
		}
		if (!continueOnFail || error instanceof ExecutionCancelledError) throw nodeError;
		return { json: itemJson(nodeError), pairedItem: { item: i } };
	};

	let options;
	try {
		options = readRunOptions(this, operation);
		if (toolMode) options = toolRunOptions(options);
	} catch (error) {
		return [items.map((_, i) => fail(error, i))];
	}

	const credentials = await this.getCredentials(CREDENTIAL_NAME);
	const baseUrl = String(credentials.baseUrl || 'https://api.segmind.com');
	const uploadBaseUrl = String(credentials.uploadBaseUrl || 'https://workflows-api.segmind.com');

	const plans = items.map((_, i): { plan: Plan } | { failed: INodeExecutionData } => {
		try {
			return { plan: readPlan(this, operation, i, baseUrl) };
		} catch (error) {
			return { failed: fail(error, i) };
		}
	});
	// Binary photos are checked by their bytes before anything is sent (see readBinaryImage).
	for (const [i, entry] of plans.entries()) {
		if (!('plan' in entry) || entry.plan.kind !== 'job' || entry.plan.plan.image.source !== 'binary') continue;
		try {
			await readBinaryImage(this, i, entry.plan.plan.image, options.maxInputImageSizeMb);
		} catch (error) {
			plans[i] = { failed: fail(error, i) };
		}
	}

	// One signal for the run: the user's Stop, or the first fatal item error (so the other
	// items stop polling instead of running on after the node has already failed).
	const controller = new AbortController();
	const executionSignal = this.getExecutionCancelSignal?.();
	const onCancel = () => controller.abort();
	if (executionSignal?.aborted) controller.abort();
	executionSignal?.addEventListener('abort', onCancel, { once: true });

	// Jobs this run waits for: adaptive polling plans the first checks of all jobs on the key.
	const waits = operation === 'generate' || operation === 'getResult';
	const jobs = waits ? plans.filter((entry) => 'plan' in entry).length : 0;
	const apiKey = String(credentials.apiKey ?? '');
	const run = createRunContext(this, options, { baseUrl, uploadBaseUrl, apiKey }, controller.signal, jobs);
	// No cap by default: jobs wait at Segmind, not here. v1 Sync holds a connection per job.
	const inFlight =
		options.maxConcurrency > 0 ? options.maxConcurrency : operation === 'generateSync' ? SYNC_JOBS_AT_ONCE : plans.length;

	try {
		// "Check Credits First": one balance read for the run, after validation, before anything is
		// sent; when it fails, every item that would have been sent gets the error instead.
		const toSend = plans.flatMap((entry, i) => ('plan' in entry && entry.plan.kind === 'job' ? [i] : []));
		if (options.checkCreditsFirst && toSend.length) {
			try {
				await checkCredits(run, options.minimumCredits);
			} catch (error) {
				for (const i of toSend) plans[i] = { failed: fail(error, i) };
			}
		}
		// One listener on the run's signal aborts the items in flight (one listener per item would
		// pass Node's limit of 10 per signal once more than 10 items are in flight).
		const itemControllers = new Set<AbortController>();
		const abortItems = () => {
			for (const item of itemControllers) item.abort();
		};
		controller.signal.addEventListener('abort', abortItems, { once: true });
		const results = await mapWithConcurrency(plans, inFlight, async (entry, i) => {
			if ('failed' in entry) return entry.failed;
			// Each item gets its own signal, fed by the run's: every wait and request adds an abort
			// listener, and one shared signal would collect one per item in flight.
			const itemController = new AbortController();
			if (controller.signal.aborted) itemController.abort();
			itemControllers.add(itemController);
			const itemRun: RunContext = { ...run, signal: itemController.signal, client: run.client.withSignal(itemController.signal) };
			try {
				const startedAt = Date.now();
				const item = await runItem(itemRun, operation, i, entry.plan);
				return { ...(toolMode ? toolAnswer(item, Date.now() - startedAt) : item), pairedItem: { item: i } };
			} catch (error) {
				if (executionSignal?.aborted) throw toNodeError(node, new ExecutionCancelledError(), i);
				try {
					return fail(error, i);
				} catch (fatal) {
					controller.abort();
					throw fatal;
				}
			} finally {
				itemControllers.delete(itemController);
			}
		});
		return [results];
	} finally {
		run.scheduler.close();
		executionSignal?.removeEventListener('abort', onCancel);
	}
}
