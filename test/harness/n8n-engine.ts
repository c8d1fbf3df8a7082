/**
 * Runs a real workflow JSON inside n8n's own execution engine (n8n-core's WorkflowExecute),
 * with the BUILT node from dist/ (as n8n loads it), a credentials helper that applies the
 * credential's generic `authenticate` like n8n does, and a real cancel signal.
 */
import * as path from 'path';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IWorkflowExecuteAdditionalData,
	type IConnections,
	type INodeParameters,
} from 'n8n-workflow';

import { modelOptionsField } from '../../nodes/SegmindFaceToMany/actions/jobInput';
import { isOperationName, OPERATION_TRAITS } from '../../nodes/SegmindFaceToMany/actions/operationTraits';

const DIST = path.resolve(__dirname, '../../dist');
export const NODE_TYPE = 'n8n-nodes-segmind-face-to-many.segmindFaceToMany';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SegmindFaceToMany } = require(path.join(DIST, 'nodes/SegmindFaceToMany/SegmindFaceToMany.node.js'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SegmindApi } = require(path.join(DIST, 'credentials/SegmindApi.credentials.js'));

/** Stand-in for n8n's Manual Trigger: one empty item. */
class ManualTrigger implements INodeType {
	description = {
		displayName: 'Manual Trigger',
		name: 'manualTrigger',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: { name: 'Manual Trigger' },
		inputs: [],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [[{ json: {} }]];
	}
}

/**
 * Test input node: emits `items` (JSON) and, for entries with `file`, that fixture file as binary
 * (through n8n's prepareBinaryData, so binary data is stored the way n8n stores it).
 */
class FixtureItems implements INodeType {
	description = {
		displayName: 'Fixture Items',
		name: 'fixtureItems',
		group: ['input'],
		version: 1,
		description: '',
		defaults: { name: 'Fixture Items' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const fs = require('fs') as typeof import('fs');
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const list = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Array<{
			json?: IDataObject;
			file?: string;
			bytes?: string;
			property?: string;
			fileName?: string;
			mimeType?: string;
		}>;
		const out: INodeExecutionData[] = [];
		for (const [i, entry] of list.entries()) {
			const item: INodeExecutionData = { json: entry.json ?? {}, pairedItem: { item: 0 } };
			if (entry.file || entry.bytes) {
				const buffer = entry.file
					? fs.readFileSync(path.resolve(__dirname, '..', entry.file))
					: Buffer.from(entry.bytes as string, 'base64');
				item.binary = {
					[entry.property ?? 'data']: await this.helpers.prepareBinaryData(
						buffer,
						entry.fileName ?? (entry.file ? path.basename(entry.file) : `file-${i}`),
						entry.mimeType,
					),
				};
			}
			out.push(item);
		}
		return [out];
	}
}

/** Test sink: passes its input on unchanged (to see what reached a branch). */
class PassThrough implements INodeType {
	description = {
		displayName: 'Pass Through',
		name: 'passThrough',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: { name: 'Pass Through' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const NODE_TYPES: Record<string, INodeType> = {
	'n8n-nodes-base.manualTrigger': new ManualTrigger(),
	'test.fixtureItems': new FixtureItems(),
	'test.passThrough': new PassThrough(),
	[NODE_TYPE]: new SegmindFaceToMany(),
};

/** Add a node type to the engine's registry (test-only types, e.g. the agent-tool harness). */
export function registerNodeType(type: string, nodeType: INodeType): void {
	NODE_TYPES[type] = nodeType;
}

const nodeTypes: INodeTypes = {
	getByName: (type) => NODE_TYPES[type],
	getByNameAndVersion: (type) => NODE_TYPES[type],
	getKnownTypes: () => ({}),
};

/** Resolve `={{$credentials.x}}` templates the way n8n's generic authenticate does. */
function resolveTemplate(value: string, credentials: ICredentialDataDecryptedObject): string {
	return value.replace(/^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/, (_, key: string) => String(credentials[key] ?? ''));
}

export interface CredentialValues {
	apiKey: string;
	baseUrl: string;
	uploadBaseUrl?: string;
}

function credentialsHelper(values: CredentialValues) {
	const credentials: ICredentialDataDecryptedObject = {
		apiKey: values.apiKey,
		baseUrl: values.baseUrl,
		uploadBaseUrl: values.uploadBaseUrl ?? values.baseUrl,
	};
	const type = new SegmindApi();
	return {
		getParentTypes: () => [],
		isCredentialUsableByNode: () => true,
		async authenticate(_creds: ICredentialDataDecryptedObject, _typeName: string, request: IHttpRequestOptions) {
			const headers: IDataObject = { ...(request.headers ?? {}) };
			for (const [name, template] of Object.entries(type.authenticate.properties.headers as Record<string, string>)) {
				headers[name] = resolveTemplate(template, credentials);
			}
			return { ...request, headers };
		},
		preAuthentication: async () => undefined,
		runPreAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used');
		},
		getDecrypted: async () => credentials,
		updateCredentials: async () => {},
		updateCredentialsOauthTokenData: async () => {},
		getCredentialsProperties: () => type.properties,
	};
}

function additionalData(values: CredentialValues): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper: credentialsHelper(values),
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not used');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface WorkflowJson {
	name?: string;
	nodes: INode[];
	connections: IConnections;
}

export interface RunResult {
	run: IRun;
	/** Output items of a node (first run, main output 0, or `outputIndex`: 1 is the error output). */
	output(nodeName: string, outputIndex?: number): INodeExecutionData[];
	/** The node error of the run, if it failed. */
	error: IRun['data']['resultData']['error'];
	status: IRun['status'];
}

export interface RunOptions {
	credentials: CredentialValues;
	/** Cancel the execution after this many ms (like the user pressing Stop). */
	cancelAfterMs?: number;
}

export async function runWorkflow(json: WorkflowJson, options: RunOptions): Promise<RunResult> {
	const workflow = new Workflow({
		id: 'test',
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		nodeTypes,
		settings: { executionOrder: 'v1' },
	});
	const data = additionalData(options.credentials);
	(data as unknown as { hooks: ExecutionLifecycleHooks }).hooks = new ExecutionLifecycleHooks('manual', 'exec-1', {
		id: 'test',
		name: json.name ?? 'test',
		nodes: json.nodes,
		connections: json.connections,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const execution = new WorkflowExecute(data, 'manual');
	const promise = execution.run({ workflow });
	let timer: NodeJS.Timeout | undefined;
	if (options.cancelAfterMs !== undefined) timer = setTimeout(() => promise.cancel(), options.cancelAfterMs);
	let run: IRun;
	try {
		run = await promise;
	} finally {
		if (timer) clearTimeout(timer);
	}
	return {
		run,
		error: run.data.resultData.error,
		status: run.status,
		output(nodeName: string, outputIndex = 0) {
			const runs = run.data.resultData.runData[nodeName];
			return runs?.[0]?.data?.main?.[outputIndex] ?? [];
		},
	};
}

/** Binary bytes of an output item, read through n8n (works in any binary-data mode). */
export async function binaryBuffer(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	const binary = item.binary?.[property];
	if (!binary) throw new Error(`no binary property ${property}`);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require('@n8n/di');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { BinaryDataService } = require('n8n-core');
	if (binary.id) return await Container.get(BinaryDataService).getAsBuffer(binary);
	return Buffer.from(binary.data, 'base64');
}

export type BinaryDataMode = 'default' | 'filesystem';

/**
 * Opt-in: put n8n-core's BinaryDataService (one per process) in a binary-data mode, the way the
 * n8n CLI does at start-up: set BinaryDataConfig's `mode` and `localStoragePath`, then
 * `BinaryDataService.init()`. Without a call, the harness runs as before (no manager: binaries stay
 * in the items as base64, n8n's "default" mode).
 *
 * 'filesystem': prepareBinaryData writes each file under `storagePath` (a new temp dir unless
 * given) and the item carries only a reference (`id` 'filesystem-v2:workflows/…', `data` the mode
 * name), no base64. 'default': back to in-memory base64. Returns the storage path in filesystem
 * mode; deleting it afterwards is the caller's job.
 */
export async function initBinaryDataMode(mode: BinaryDataMode, storagePath?: string): Promise<string | undefined> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Container } = require('@n8n/di');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { BinaryDataConfig, BinaryDataService } = require('n8n-core');
	const config = Container.get(BinaryDataConfig) as { mode: string; localStoragePath: string };
	let dir: string | undefined;
	if (mode === 'filesystem') {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const fs = require('fs') as typeof import('fs');
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const os = require('os') as typeof import('os');
		dir = storagePath ?? fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-binary-'));
		config.localStoragePath = dir;
	}
	config.mode = mode;
	await Container.get(BinaryDataService).init();
	return dir;
}

/**
 * A workflow: Manual Trigger → (Fixture Items →) Segmind node with `parameters`.
 * `onError` sets the node's Settings → On Error (`continueOnFail` is `continueRegularOutput`);
 * with `continueErrorOutput`, "Succeeded" and "Failed" pass-through nodes hang off the main and error outputs.
 */
/** The Model Options fields (from their declaration): tests may write them flat, as the API does; the panel holds them in a collection. */
const MODEL_OPTIONS: string[] = modelOptionsField.options.map((option) => option.name);

/** The test photo every job-sending test uses unless it names its own (the panel's Image URL starts empty). */
export const FIXTURE_IMAGE_URL = 'https://example.com/face.jpg';

/**
 * Node parameters as the panel stores them, from a test's flat shorthand: model fields go into
 * `modelOptions`, and a job with neither an Image URL nor a binary source gets the fixture photo.
 */
export function panelParameters(parameters: IDataObject): INodeParameters {
	const panel: IDataObject = {};
	const modelOptions: IDataObject = { ...((parameters.modelOptions as IDataObject) ?? {}) };
	for (const [key, value] of Object.entries(parameters)) {
		if (MODEL_OPTIONS.includes(key)) modelOptions[key] = value;
		else if (key !== 'modelOptions') panel[key] = value;
	}
	if (Object.keys(modelOptions).length) panel.modelOptions = modelOptions;
	const operation = (panel.operation as string | undefined) ?? 'generate';
	const sendsJob = isOperationName(operation) && OPERATION_TRAITS[operation].sendsJob;
	if (sendsJob && panel.imageSource !== 'binary' && !('imageUrl' in panel)) panel.imageUrl = FIXTURE_IMAGE_URL;
	return panel as INodeParameters;
}

export function segmindWorkflow(
	parameters: IDataObject,
	opts: {
		items?: unknown[];
		continueOnFail?: boolean;
		onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
		name?: string;
	} = {},
): WorkflowJson {
	const nodes: INode[] = [
		{ id: '1', name: 'Manual Trigger', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
	];
	const connections: IConnections = {};
	let previous = 'Manual Trigger';
	if (opts.items) {
		nodes.push({
			id: '2',
			name: 'Photos',
			type: 'test.fixtureItems',
			typeVersion: 1,
			position: [200, 0],
			parameters: { items: JSON.stringify(opts.items) },
		});
		connections[previous] = { main: [[{ node: 'Photos', type: 'main', index: 0 }]] };
		previous = 'Photos';
	}
	nodes.push({
		id: '3',
		name: 'Segmind Face to Many',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters: panelParameters(parameters),
		credentials: { segmindApi: { id: 'cred-1', name: 'Segmind account' } },
		...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...(opts.onError ? { onError: opts.onError } : {}),
	});
	connections[previous] = { main: [[{ node: 'Segmind Face to Many', type: 'main', index: 0 }]] };
	if (opts.onError === 'continueErrorOutput') {
		for (const [id, name] of [['4', 'Succeeded'], ['5', 'Failed']]) {
			nodes.push({ id, name, type: 'test.passThrough', typeVersion: 1, position: [600, 0], parameters: {} });
		}
		connections['Segmind Face to Many'] = {
			main: [[{ node: 'Succeeded', type: 'main', index: 0 }], [{ node: 'Failed', type: 'main', index: 0 }]],
		};
	}
	return { name: opts.name ?? 'segmind test', nodes, connections };
}
