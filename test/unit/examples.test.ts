/**
 * The example workflows say only what is true of the node: every Segmind node sets only
 * parameters the node has (in the collection that holds them), every "<name> is on/off" in a
 * note names a field or option the node has, and the agent example's tool is as the agent's
 * Tool "+" adds it (the model defines the photo URL, style and prompt).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { INodeProperties } from 'n8n-workflow';

import { SegmindFaceToMany } from '../../nodes/SegmindFaceToMany/SegmindFaceToMany.node';

const EXAMPLES = path.resolve(__dirname, '../../examples');
const { description } = new SegmindFaceToMany();

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
}
const examples = fs
	.readdirSync(EXAMPLES)
	.filter((file) => file.endsWith('.json'))
	.map((file) => [file, JSON.parse(fs.readFileSync(path.join(EXAMPLES, file), 'utf8')) as { nodes: WorkflowNode[] }] as const);

/** Every label a user can see on the node: fields, collection options, option values' names. */
function labels(properties: INodeProperties[]): string[] {
	return properties.flatMap((p) => [
		p.displayName,
		...((p.options ?? []) as Array<INodeProperties | { name: string }>).flatMap((o) =>
			'displayName' in o ? labels([o as INodeProperties]) : [String(o.name)],
		),
	]);
}
const LABELS = labels(description.properties);
const TOOL_PARAMETERS = ['descriptionType', 'toolDescription'];

describe.each(examples)('%s', (_file, workflow) => {
	const segmind = workflow.nodes.filter((n) => n.type.includes('segmindFaceToMany'));

	it('sets only parameters the node has, each in the collection that holds it', () => {
		for (const node of segmind) {
			for (const [name, value] of Object.entries(node.parameters)) {
				if (node.type.endsWith('Tool') && TOOL_PARAMETERS.includes(name)) continue;
				const field = description.properties.find((p) => p.name === name);
				expect({ node: node.name, name, known: field !== undefined }).toEqual({ node: node.name, name, known: true });
				if (field?.type !== 'collection') continue;
				const inside = (field.options as INodeProperties[]).map((o) => o.name);
				for (const option of Object.keys(value as object)) expect({ collection: name, option, known: inside.includes(option) }).toEqual({ collection: name, option, known: true });
			}
		}
	});

	it('names in its notes only fields and options the node has', () => {
		const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote').map((n) => String(n.parameters.content));
		for (const note of notes) {
			for (const [, name] of note.matchAll(/\(?\*{0,2}([A-Z][\w ()]+?)\*{0,2} is (?:off|on)\b/g)) {
				expect({ name, known: LABELS.includes(name.trim()) }).toEqual({ name, known: true });
			}
		}
	});
});

test("the agent example's tool is as the agent's Tool \"+\" adds it: the model defines the photo URL, style and prompt", () => {
	const [, agent] = examples.find(([file]) => file.startsWith('04-'))!;
	const tool = agent.nodes.find((n) => n.type.endsWith('segmindFaceToManyTool'))!;
	for (const name of ['imageUrl', 'style', 'prompt', 'imageSource']) expect(tool.parameters).not.toHaveProperty(name);
});
