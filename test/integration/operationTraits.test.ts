/**
 * The table of operation traits (actions/operationTraits.ts) says what each operation does, and
 * the panel and the batch runner act on it. Here each operation runs in n8n's engine against the
 * local Segmind server, and what it did is compared with what the table declares: a trait that
 * is wrong (a job declared but none sent, an image returned without "returns an image"…) fails.
 */
import type { IDataObject } from 'n8n-workflow';

import { OPERATION_NAMES, OPERATION_TRAITS, type OperationName, type OperationTraits } from '../../nodes/SegmindFaceToMany/actions/operationTraits';
import { FAST, runNode, useServer, type NodeRun } from './support';

const ctx = useServer();

/** The parameters that run `operation` on one photo (Get Job Result: on a job Submit Job sent first). */
async function parametersFor(operation: OperationName): Promise<IDataObject> {
	if (operation !== 'getResult') return { operation, imageUrl: 'https://example.com/face.jpg', options: FAST };
	const submitted = await runNode(ctx.server, { operation: 'submit', options: FAST });
	expect(submitted.error).toBeUndefined();
	return { operation, requestId: submitted.items[0].json.request_id, options: FAST };
}

/** The routes the server saw during `run` (from `from`, the requests before it being a setup's). */
function routesOf(from: number): string[] {
	return ctx.server.requests.slice(from).map((request) => request.route);
}

/** What an operation did, in the terms of the table. */
async function observe(operation: OperationName): Promise<OperationTraits> {
	const parameters = await parametersFor(operation);
	const start = ctx.server.requests.length;
	const run: NodeRun = await runNode(ctx.server, parameters);
	expect(run.error).toBeUndefined();
	const routes = routesOf(start);
	const [item] = run.items;
	// The same again with Output "URL Only": a link instead of the image, where the operation can.
	const asLink = await runNode(ctx.server, { ...(await parametersFor(operation)), commonOptions: { output: 'url' } });
	expect(asLink.error).toBeUndefined();
	const [linkItem] = asLink.items;
	return {
		sendsJob: routes.includes('submit') || routes.includes('sync'),
		waitsForJobs: routes.includes('status'),
		// The legacy v1 call: one request that stays open for the whole job and answers with the image.
		holdsConnection: routes.includes('sync'),
		returnsImage: item.binary !== undefined,
		returnsLink: typeof linkItem.json.output_url === 'string' && linkItem.binary === undefined,
	};
}

test.each(OPERATION_NAMES)('%s does what the table of operation traits declares', async (operation) => {
	expect(await observe(operation)).toEqual(OPERATION_TRAITS[operation]);
});
