/**
 * Every operation and what it does, declared once. The panel's display rules (which fields an
 * operation shows) and the batch runner (the credit check, how many items at once, polling plans)
 * both read this table; test/integration/operationTraits.test.ts runs each operation against the
 * local server and checks it does what its traits say.
 */
export interface OperationTraits {
	/** Sends a billed face-to-many job: it reads the photo, Style, Prompt and Model Options, and "Check Credits First" applies. */
	sendsJob: boolean;
	/** Waits for jobs in Segmind's queue (status checks): the polling options apply, and adaptive polling plans the first checks of all of them. */
	waitsForJobs: boolean;
	/** Holds a connection for a whole job (the legacy sync call): a few items run at a time. */
	holdsConnection: boolean;
	/** Ends with an image: the output field and the output size limit apply. */
	returnsImage: boolean;
	/** Can return the image as its link instead ("Output"); the legacy sync call answers with the bytes only. */
	returnsLink: boolean;
}

export const OPERATION_TRAITS = {
	generate: { sendsJob: true, waitsForJobs: true, holdsConnection: false, returnsImage: true, returnsLink: true },
	submit: { sendsJob: true, waitsForJobs: false, holdsConnection: false, returnsImage: false, returnsLink: false },
	getResult: { sendsJob: false, waitsForJobs: true, holdsConnection: false, returnsImage: true, returnsLink: true },
	generateSync: { sendsJob: true, waitsForJobs: false, holdsConnection: true, returnsImage: true, returnsLink: false },
	getCredits: { sendsJob: false, waitsForJobs: false, holdsConnection: false, returnsImage: false, returnsLink: false },
} as const satisfies Record<string, OperationTraits>;

/** An operation's value in the Operation list. */
export type OperationName = keyof typeof OPERATION_TRAITS;

/** Whether `name` is an operation's value (the table's own keys, not what Object.prototype has). */
export const isOperationName = (name: unknown): name is OperationName =>
	typeof name === 'string' && Object.prototype.hasOwnProperty.call(OPERATION_TRAITS, name);

/** Every operation, in the table's order. */
export const OPERATION_NAMES: OperationName[] = Object.keys(OPERATION_TRAITS).filter(isOperationName);

/** The operations that have `trait` (or pass `test`), in the table's order: what a display rule lists. */
export function operationsThat(trait: keyof OperationTraits | ((traits: OperationTraits) => boolean)): OperationName[] {
	const test = typeof trait === 'function' ? trait : (traits: OperationTraits) => traits[trait];
	return OPERATION_NAMES.filter((name) => test(OPERATION_TRAITS[name]));
}
