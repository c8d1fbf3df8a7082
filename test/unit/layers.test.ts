/**
 * The house's floors: every import in nodes/ and credentials/ (type-only ones and re-exports
 * too) runs to the importing file's own layer or a lower one, never up, and no files import each
 * other in a circle. Lowest first:
 *
 *   constants.ts, credentials/   facts of the API, the credential
 *   helpers/                     knows nothing of the node: values, images, polling, parameters
 *   errors/                      what went wrong (failures.ts: facts) and how it is said
 *   transport/                   HTTP: the endpoints, sending, reading answers; throws failures
 *   actions/                     the node's behaviour: operations, the batch, fields
 *   SegmindFaceToMany.node.ts    the class n8n loads
 *
 * and one rule inside a floor's reach: transport/ reads only the facts of errors/ (failures.ts),
 * never its words (messages, guidance, toNodeError): sentences are composed at the edge.
 *
 * Today's exceptions are listed in ALLOWED with the step that removes them; the list may only
 * shrink (an entry that is no longer a violation fails the test, so it gets deleted).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const NODE = 'nodes/SegmindFaceToMany';

const LAYERS: Array<{ name: string; holds: (file: string) => boolean }> = [
	{ name: 'constants', holds: (f) => f === `${NODE}/constants.ts` || f.startsWith('credentials/') },
	{ name: 'helpers', holds: (f) => f.startsWith(`${NODE}/helpers/`) },
	{ name: 'errors', holds: (f) => f.startsWith(`${NODE}/errors/`) },
	{ name: 'transport', holds: (f) => f.startsWith(`${NODE}/transport/`) },
	{ name: 'actions', holds: (f) => f.startsWith(`${NODE}/actions/`) },
	{ name: 'node', holds: (f) => f === `${NODE}/SegmindFaceToMany.node.ts` },
];

/** Known violations (`from -> to`, paths below nodes/SegmindFaceToMany/), each with what ends it. */
const ALLOWED: Record<string, string> = {};

interface Edge {
	from: string;
	to: string;
}

const short = (file: string) => file.replace(`${NODE}/`, '');
const edgeName = (edge: Edge) => `${short(edge.from)} -> ${short(edge.to)}`;

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
		const file = `${dir}/${entry.name}`;
		if (entry.isDirectory()) return sourceFiles(file);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
	});
}

/** The repository file a relative import names (`./x` is x.ts or x/index.ts). */
function resolve(from: string, specifier: string): string {
	const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
	const candidates = [`${base}.ts`, `${base}/index.ts`, base];
	const found = candidates.find((candidate) => fs.existsSync(path.join(ROOT, candidate)) && fs.statSync(path.join(ROOT, candidate)).isFile());
	if (!found) throw new Error(`${from}: cannot resolve "${specifier}"`);
	return found;
}

/** Every relative import of the source (imports, type-only imports, re-exports, import()). */
function importsOf(file: string): Edge[] {
	const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
	return ts
		.preProcessFile(text, true, true)
		.importedFiles.map((imported) => imported.fileName)
		.filter((specifier) => specifier.startsWith('.'))
		.map((specifier) => ({ from: file, to: resolve(file, specifier) }));
}

const layerOf = (file: string) => LAYERS.findIndex((layer) => layer.holds(file));

/** Why an import breaks the rules, or undefined when it keeps them. */
function breaks(edge: Edge): string | undefined {
	const from = layerOf(edge.from);
	const to = layerOf(edge.to);
	if (to > from) return `${LAYERS[from].name} imports from ${LAYERS[to].name}, a higher layer`;
	if (LAYERS[from].name === 'transport' && LAYERS[to].name === 'errors' && short(edge.to) !== 'errors/failures.ts') {
		return 'transport reads only the facts of errors/ (failures.ts), not its words';
	}
	return undefined;
}

/** The groups of files that import each other in a circle (Tarjan's strongly connected components). */
function circles(files: string[], edges: Edge[]): string[][] {
	const next = new Map(files.map((file) => [file, edges.filter((edge) => edge.from === file).map((edge) => edge.to)]));
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const found: string[][] = [];
	const visit = (file: string) => {
		index.set(file, index.size);
		low.set(file, index.get(file)!);
		stack.push(file);
		for (const to of next.get(file) ?? []) {
			if (!index.has(to)) {
				visit(to);
				low.set(file, Math.min(low.get(file)!, low.get(to)!));
			} else if (stack.includes(to)) low.set(file, Math.min(low.get(file)!, index.get(to)!));
		}
		if (low.get(file) !== index.get(file)) return;
		const group: string[] = [];
		let member: string;
		do {
			member = stack.pop()!;
			group.push(member);
		} while (member !== file);
		if (group.length > 1 || (next.get(file) ?? []).includes(file)) found.push(group.map(short).sort());
	};
	for (const file of files) if (!index.has(file)) visit(file);
	return found;
}

const FILES = [...sourceFiles('credentials'), ...sourceFiles('nodes')];
const EDGES = FILES.flatMap(importsOf);
const allowed = (edge: Edge) => edgeName(edge) in ALLOWED;

describe('layers', () => {
	test('every source file is on a layer', () => {
		expect(FILES.filter((file) => layerOf(file) < 0)).toEqual([]);
		// The check sees the imports it is about (it can fail).
		expect(EDGES.length).toBeGreaterThan(50);
	});

	test('no import runs up a layer, nor from transport/ to the words of errors/ (but the allowed ones)', () => {
		const broken = EDGES.filter((edge) => !allowed(edge) && breaks(edge)).map((edge) => `${edgeName(edge)}: ${breaks(edge)}`);
		expect(broken).toEqual([]);
	});

	test('no import circle (but the allowed ones)', () => {
		expect(circles(FILES, EDGES.filter((edge) => !allowed(edge)))).toEqual([]);
	});

	test('every allowed exception still exists and still breaks a rule (the list only shrinks)', () => {
		const stale = Object.keys(ALLOWED).filter((name) => {
			const edge = EDGES.find((candidate) => edgeName(candidate) === name);
			if (!edge) return true;
			const closesCircle = circles(FILES, EDGES.filter((candidate) => candidate === edge || !allowed(candidate))).length > 0;
			return !breaks(edge) && !closesCircle;
		});
		expect(stale).toEqual([]);
	});
});
