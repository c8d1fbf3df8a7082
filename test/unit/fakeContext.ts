import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

/**
 * Just what the parameter and input readers use of n8n's execute context: node parameters (read
 * by path, as n8n does, e.g. "modelOptions.seed"), input items, and binary buffers (reads counted).
 */
export function fakeContext(parameters: Record<string, unknown>, items: INodeExecutionData[] = [{ json: {} }], buffer?: Buffer) {
	const reads: number[] = [];
	const get = (path: string) =>
		path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], parameters);
	const ctx = {
		getNodeParameter: (path: string, _i: number, fallback?: unknown) => get(path) ?? fallback,
		getInputData: () => items,
		helpers: {
			getBinaryDataBuffer: async (i: number) => {
				reads.push(i);
				return buffer ?? Buffer.alloc(0);
			},
		},
	} as unknown as IExecuteFunctions;
	return { ctx, reads };
}
