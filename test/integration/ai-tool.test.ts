/**
 * The node as an AI Agent tool, driven the way n8n drives tools (see test/harness/agent-tool.ts),
 * inside n8n's engine against the local Segmind server: the agent must get a short JSON answer
 * with the output URL, never the image; errors come back short too.
 */
import type { IConnections, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { ENGINE_AGENT, registerAgentToolTypes, SUPPLY_DATA_AGENT, TOOL_NODE_TYPE } from '../harness/agent-tool';
import { binaryBuffer, runWorkflow, segmindWorkflow, type WorkflowJson } from '../harness/n8n-engine';
import { captureOutput, expectNoSecret, FAST, onlyJobId, SECRET_KEY, useServer } from './support';

registerAgentToolTypes();
const ctx = useServer();

const TOOL = 'Segmind Face to Many';
const AGENT = 'AI Agent';

/**
 * The tool node as an agent's Tool "+" adds it: nothing set, so n8n fills in its defaults (the
 * photo URL, style and prompt as ✨ "defined by the model" values). FAST only keeps the suite quick.
 */
const TOOL_PARAMETERS: IDataObject = { options: FAST };

/** The same fields written by hand, as older workflows (and n8n's ✨ button with edited descriptions) have them. */
const HAND_WRITTEN: IDataObject = {
	operation: 'generate',
	imageUrl: "={{ $fromAI('Image_URL', 'Public http(s) URL of the face photo', 'string') }}",
	style: "={{ $fromAI('Style', 'One of: 3D, Clay, Emoji, Pixels, Toy, Video Game', 'string') }}",
	prompt: "={{ $fromAI('Prompt', 'Optional short text of what to draw', 'string', 'a person') }}",
	options: FAST,
};

function agentWorkflow(agentType: string, args: IDataObject, toolParameters: IDataObject = TOOL_PARAMETERS, toolNode: Partial<INode> = {}): WorkflowJson {
	const nodes: INode[] = [
		{ id: '1', name: 'Chat', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: '2',
			name: AGENT,
			type: agentType,
			typeVersion: 1,
			position: [200, 0],
			parameters: { toolArgs: JSON.stringify(args), toolNode: TOOL },
		},
		{
			id: '3',
			name: TOOL,
			type: TOOL_NODE_TYPE,
			typeVersion: 1,
			position: [200, 200],
			parameters: toolParameters as INodeParameters,
			credentials: { segmindApi: { id: 'cred-1', name: 'Segmind account' } },
			...toolNode,
		},
	];
	const connections: IConnections = {
		Chat: { main: [[{ node: AGENT, type: 'main', index: 0 }]] },
		[TOOL]: { ai_tool: [[{ node: AGENT, type: 'ai_tool', index: 0 }]] },
	};
	return { name: 'agent tool test', nodes, connections };
}

async function runAgent(agentType: string, args: IDataObject, toolParameters?: IDataObject, toolNode?: Partial<INode>) {
	const { value: result, written, reported } = await captureOutput(() =>
		runWorkflow(agentWorkflow(agentType, args, toolParameters, toolNode), {
			credentials: { apiKey: SECRET_KEY, baseUrl: ctx.server.url, uploadBaseUrl: ctx.server.url },
		}),
	);
	expectNoSecret(result, written, SECRET_KEY, reported);
	const [item] = result.output(AGENT);
	return { result, agent: item?.json ?? {}, written };
}

/** Image bytes in any form: base64 runs, PNG/JPEG base64 headers, data: URLs. */
function expectNoImageData(text: string): void {
	expect(text).not.toMatch(/[A-Za-z0-9+/=]{200,}/);
	expect(text).not.toContain('iVBORw0KGgo');
	expect(text).not.toContain('/9j/');
	expect(text).not.toContain('data:image');
	expect(text).not.toMatch(/"(binary|data|mimeType|fileName)"/);
}

const CALL = () => ({ Image_URL: 'https://example.com/me.jpg', Style: 'Clay' });

describe.each([
	['supplyData (AI Agent v1/v2)', SUPPLY_DATA_AGENT],
	['engine request (AI Agent v3)', ENGINE_AGENT],
])('as a tool, %s path', (_label, agentType) => {
	it('answers with a short JSON holding the output URL, and never fetches the image', async () => {
		const { result, agent } = await runAgent(agentType, CALL());
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');

		const answer = agent.answer as string;
		expect(typeof answer).toBe('string');
		expect(Buffer.byteLength(answer)).toBeLessThan(2048);
		expectNoImageData(answer);

		const id = onlyJobId(ctx.server);
		const parsed = JSON.parse(answer) as IDataObject[];
		expect(parsed).toHaveLength(1);
		expect(parsed[0]).toEqual({
			status: 'COMPLETED',
			request_id: id,
			style: 'Clay',
			output_url: `${ctx.server.url}/outputs/${id}.png`,
			seconds: expect.any(Number),
			cost: 0.0246,
			remaining_credits: expect.any(Number),
		});
		expect(parsed[0].seconds).toBeGreaterThan(0);
		expect(parsed[0].seconds).toBeLessThan(10);

		// One job, sent with the model's arguments; the image itself was never downloaded.
		expect(ctx.server.count('submit')).toBe(1);
		expect(ctx.server.count('download')).toBe(0);
		const submit = ctx.server.requests.find((r) => r.route === 'submit');
		expect(submit?.body).toMatchObject({ image: 'https://example.com/me.jpg', style: 'Clay', prompt: 'a person' });

		// What n8n logged as the tool's output (shown in the editor) holds no binary either.
		const toolRuns = result.run.data.resultData.runData[TOOL] ?? [];
		expect(toolRuns.length).toBeGreaterThan(0);
		const logged = JSON.stringify(toolRuns.map((run) => run.data));
		expect(logged).toContain(`/outputs/${id}.png`);
		expectNoImageData(logged);
	});

	it('lets the model choose the style in its own words ("video game" is sent as Segmind spells it)', async () => {
		const { result, agent } = await runAgent(agentType, { Image_URL: 'https://example.com/me.jpg', Style: 'video game' });
		expect(result.error).toBeUndefined();
		const [answer] = JSON.parse(agent.answer as string) as IDataObject[];
		expect(answer).toMatchObject({ status: 'COMPLETED', style: 'Video game' });
		expect(ctx.server.requests.filter((r) => r.route === 'submit').map((r) => r.body?.style)).toEqual(['Video game']);
	});

	it('never takes a file in tool mode: a Binary File source saved on the node is ignored, the photo is the model\'s URL', async () => {
		// n8n hides "Image Source" from tools (displayOptions @tool), so the panel cannot set it; a
		// workflow saved with it on binary still sends the URL the model gave, and uploads nothing.
		const { result, agent } = await runAgent(agentType, CALL(), { ...TOOL_PARAMETERS, imageSource: 'binary' });
		expect(result.error).toBeUndefined();
		const [answer] = JSON.parse(agent.answer as string) as IDataObject[];
		expect(answer.status).toBe('COMPLETED');
		expect(ctx.server.count('upload')).toBe(0);
		expect(ctx.server.requests.find((r) => r.route === 'submit')?.body?.image).toBe('https://example.com/me.jpg');
	});

	it('works the same with the fields written by hand as $fromAI() expressions', async () => {
		const { result, agent } = await runAgent(agentType, { ...CALL(), Style: 'VIDEO_GAME' }, HAND_WRITTEN);
		expect(result.error).toBeUndefined();
		const [answer] = JSON.parse(agent.answer as string) as IDataObject[];
		expect(answer).toMatchObject({ status: 'COMPLETED', style: 'Video game' });
	});

	it('a style fixed on the tool by hand (not left to the model) is used', async () => {
		const { result } = await runAgent(agentType, { Image_URL: 'https://example.com/me.jpg' }, { ...TOOL_PARAMETERS, style: 'Toy' });
		expect(result.error).toBeUndefined();
		expect(ctx.server.requests.find((r) => r.route === 'submit')?.body?.style).toBe('Toy');
	});

	it('answers a bad style from the model with a short error naming the six styles, sending nothing', async () => {
		const { result, agent } = await runAgent(agentType, { Image_URL: 'https://example.com/me.jpg', Style: 'watercolor' });
		expect(result.error).toBeUndefined();
		const answer = agent.answer as string;
		expect(Buffer.byteLength(answer)).toBeLessThan(1024);
		const [error] = JSON.parse(answer) as IDataObject[];
		expect(error.error).toContain('Style');
		for (const style of ['3D', 'Clay', 'Emoji', 'Pixels', 'Toy', 'Video Game']) expect(error.error).toContain(style);
		expect(answer).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
		expect(ctx.server.requests).toHaveLength(0);
	});

	it('answers a failed job with a short error and its request ID', async () => {
		ctx.server.configure({ failJob: 'Content blocked: no face found in the image' });
		const { result, agent } = await runAgent(agentType, CALL());
		expect(result.error).toBeUndefined();
		const answer = agent.answer as string;
		expect(Buffer.byteLength(answer)).toBeLessThan(1024);
		const id = onlyJobId(ctx.server);
		const [error] = JSON.parse(answer) as IDataObject[];
		expect(error).toMatchObject({ request_id: id });
		expect(error.error).toBe("Segmind's content filter blocked the job");
		expect(answer).toContain('no face found'); // the server's own words reach the agent
		expect(answer).not.toMatch(/\bat .*\.js:\d+/);
	});
});

describe('as a tool, supplyData path details', () => {
	it('a tool added fresh offers the model the photo URL, the style and the prompt (optional), each with what it means', async () => {
		const { agent } = await runAgent(SUPPLY_DATA_AGENT, CALL());
		expect(agent.tool_count).toBe(1);
		expect(agent.tool_name).toBe('Segmind_Face_to_Many');
		// n8n's automatic tool description (Tool Description: Set Automatically) is the node's description.
		expect(agent.tool_description).toBe(
			'Turn a photo of a face (image URL or file) into 3D, Clay, Emoji, Pixels, Toy or Video Game art with Segmind; as an AI tool it answers with the image URL',
		);
		expect(agent.tool_fields).toEqual({
			Image_URL: {
				description: "Public http(s) link to a photo of one person's face (JPEG, PNG or WebP; the image itself, not a web page)",
				optional: false,
			},
			Style: {
				description: 'The art style: one of 3D, Clay, Emoji, Pixels, Toy or Video Game (any upper or lower case, e.g. "video game")',
				optional: false,
			},
			Prompt: { description: 'Short text of what to draw, e.g. "a person" (the default) or "a smiling astronaut"', optional: true },
		});
	});

	it('hand-written $fromAI() fields reach the model as written', async () => {
		const { agent } = await runAgent(SUPPLY_DATA_AGENT, CALL(), HAND_WRITTEN);
		expect(agent.tool_fields).toEqual({
			Image_URL: { description: 'Public http(s) URL of the face photo', optional: false },
			Style: { description: 'One of: 3D, Clay, Emoji, Pixels, Toy, Video Game', optional: false },
			Prompt: { description: 'Optional short text of what to draw', optional: true },
		});
	});

	it('fails the run instead when the tool node is set to "On Error: Stop Workflow"', async () => {
		const { result, agent } = await runAgent(SUPPLY_DATA_AGENT, { Image_URL: 'not a url', Style: 'Clay' }, undefined, {
			onError: 'stopWorkflow',
		});
		// n8n-core rethrows the node's error to the agent (here caught and shown as `thrown`).
		expect(result.error).toBeUndefined();
		expect(agent.answer).toBeUndefined();
		expect(agent.thrown).toContain('Image URL');
		expect(ctx.server.requests).toHaveLength(0);
	});
});

describe('outside tool mode nothing changes', () => {
	it('the regular node still downloads the image and emits it as binary', async () => {
		const result = await runWorkflow(
			segmindWorkflow({ imageUrl: 'https://example.com/me.jpg', style: 'Clay', options: FAST }),
			{ credentials: { apiKey: SECRET_KEY, baseUrl: ctx.server.url, uploadBaseUrl: ctx.server.url } },
		);
		expect(result.error).toBeUndefined();
		const [item] = result.output(TOOL);
		expect(item.binary?.data).toBeDefined();
		expect((await binaryBuffer(item)).subarray(0, 4).toString('hex')).toBe('89504e47');
		expect(item.json).toMatchObject({ status: 'COMPLETED', style: 'Clay', metrics: expect.any(Object) });
		expect(ctx.server.count('download')).toBe(1);
	});
});
