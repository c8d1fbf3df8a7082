import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { z } from 'zod';

/*
 * Reading and checking parameters, derived from their declarations (the `*Field` objects in
 * actions/): the name and default to read, the type and range to check, the label an error names,
 * and the TypeScript type of the value. Nothing here knows a particular field but through the
 * declaration it is given.
 */

/**
 * A field's declaration as n8n takes it, with its literal types kept (its name, its type, the
 * values of its options), so that the type of what it reads derives from it (ValueOf).
 */
export function declareField<const F extends INodeProperties>(field: F): F {
	return field;
}

/** A declared collection: its fields are known by name. */
export type Collection = INodeProperties & { type: 'collection'; options: readonly INodeProperties[] };

/** The names of a collection's fields. */
export type FieldName<C extends Collection> = C['options'][number]['name'];

/** The declaration of the field `N` of the collection `C`. */
export type FieldOf<C extends Collection, N extends FieldName<C>> = Extract<C['options'][number], { name: N }>;

/**
 * The value a declared field reads as, from its `type` (and for an options field, its values):
 * a number, a boolean, one of the option values, a collection's values by name, else text.
 */
export type ValueOf<F> = F extends { type: 'number' }
	? number
	: F extends { type: 'boolean' }
		? boolean
		: F extends { type: 'options'; options: ReadonlyArray<infer O> }
			? O extends { value: infer V }
				? V
				: never
			: F extends Collection
				? CollectionValues<F>
				: string;

/** What a collection reads as: each of its fields by name, with its value (its default where it is not set). */
export type CollectionValues<C extends Collection> = { [F in C['options'][number] as F['name']]: ValueOf<F> };

/**
 * A value the user gave that cannot be used; nothing has been sent when this is thrown.
 * "Invalid <field>: <subject> <problem>", the subject being the value itself unless given.
 */
export class ValidationFailure extends Error {
	constructor(
		readonly field: string,
		readonly problem: string,
		readonly value: unknown,
		subject = describeValue(value),
	) {
		super(`Invalid ${field}: ${subject} ${problem}`);
		this.name = 'ValidationFailure';
	}
}

function describeValue(value: unknown): string {
	if (value === undefined || value === null || value === '') return 'the value';
	const text = typeof value === 'string' ? `"${value}"` : String(value);
	return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/** How a field is named in errors: its label in the panel, in quotes. */
export const labelOf = (field: INodeProperties) => `"${field.displayName}"`;

/** Options match whatever the case, spaces, "_" or "-": "video game", "VIDEO_GAME" → "Video game". */
const looseKey = (value: string) => value.trim().toLowerCase().replace(/[\s_-]+/g, ' ');

/** A number, or text that is a whole number as written ("0.5" from a sheet or an expression). */
const numeric = z.preprocess((value) => {
	if (typeof value !== 'string' || !value.trim()) return value;
	const n = Number(value.trim());
	return Number.isFinite(n) ? n : value;
}, z.number({ invalid_type_error: 'must be a number', required_error: 'is required' }).finite('must be a finite number'));

function numberSchema(field: INodeProperties): z.ZodTypeAny {
	const { minValue: min, maxValue: max, numberPrecision } = field.typeOptions ?? {};
	const range =
		min !== undefined && max !== undefined ? `between ${min} and ${max}` : min !== undefined ? `${min} or more` : `at most ${max}`;
	let schema = z.number();
	if (numberPrecision === 0) schema = schema.int(`must be a whole number ${range}`);
	if (min !== undefined) schema = schema.min(min, `must be ${range}`);
	if (max !== undefined) schema = schema.max(max, `must be ${range}`);
	return numeric.pipe(schema);
}

/**
 * An options field: its value, or the name the list shows, in any case and spacing ("video game",
 * "VIDEO_GAME", "URL Only"), gives the declared value. An error lists the names the panel shows
 * when they are the values in other case (Style: "Video Game"), else the values to write.
 */
function optionsSchema(field: INodeProperties): z.ZodTypeAny {
	const options = (field.options ?? []) as INodePropertyOptions[];
	const accepted = new Map<string, INodePropertyOptions['value']>();
	for (const option of options) {
		accepted.set(looseKey(option.name), option.value);
		accepted.set(looseKey(String(option.value)), option.value);
	}
	const namesAreValues = options.every((option) => looseKey(option.name) === looseKey(String(option.value)));
	const allowed = options.map((option) => `"${namesAreValues ? option.name : String(option.value)}"`).join(', ');
	return z
		.string({ invalid_type_error: `must be one of ${allowed}` })
		.transform((value, ctx) => {
			const match = accepted.get(looseKey(value));
			if (match !== undefined) return match;
			ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one of ${allowed}` });
			return z.NEVER;
		});
}

/** The check a field's declaration implies; `refine` adds what the declaration cannot say. */
export function schemaOf(field: INodeProperties): z.ZodTypeAny {
	switch (field.type) {
		case 'number':
			return numberSchema(field);
		case 'options':
			return optionsSchema(field);
		case 'boolean':
			return z.preprocess(
				(value) => (value === 'true' ? true : value === 'false' ? false : value),
				z.boolean({ invalid_type_error: 'must be true or false' }),
			);
		default:
			// Text: a number from an expression is taken as its text (a Prompt of 42 means "42").
			return z.preprocess(
				(value) => (typeof value === 'number' || typeof value === 'boolean' ? String(value) : value),
				z.string({ invalid_type_error: 'must be text', required_error: 'is required' }),
			);
	}
}

/** A check of a value of any shape that gives a `T`. */
type Schema<T> = z.ZodType<T, z.ZodTypeDef, unknown>;

/** Check `value` against `schema`; a failure names the field and the value. */
export function check<T>(field: INodeProperties, value: unknown, schema: Schema<T> = schemaOf(field)): T {
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	throw new ValidationFailure(labelOf(field), result.error.issues[0].message, value);
}

/**
 * Read one field of item `i` (a top-level field, or one inside the collection `within`), with
 * its declared default, and check it: the value has the type its declaration implies, or the one
 * `schema` gives. A default that is an expression (e.g. Get Job Result's `{{ $json.request_id }}`)
 * is n8n's to run: when it gives nothing, the check says so.
 */
export function readField<F extends INodeProperties>(ctx: IExecuteFunctions, field: F, i: number, options?: { within?: INodeProperties }): ValueOf<F>;
export function readField<T>(
	ctx: IExecuteFunctions,
	field: INodeProperties,
	i: number,
	options: { within?: INodeProperties; schema: Schema<T> },
): T;
export function readField(
	ctx: IExecuteFunctions,
	field: INodeProperties,
	i: number,
	options: { within?: INodeProperties; schema?: Schema<unknown> } = {},
): unknown {
	const path = options.within ? `${options.within.name}.${field.name}` : field.name;
	const fallback = typeof field.default === 'string' && field.default.startsWith('=') ? undefined : field.default;
	const value = ctx.getNodeParameter(path, i, fallback);
	return check(field, value === undefined || value === null ? fallback : value, options.schema ?? schemaOf(field));
}

/**
 * Every field of a collection, read and checked, with each one's default where it is not set;
 * `schemas`: a field's own check where its declaration cannot say it all (its value keeps the
 * declared type).
 */
export function readCollection<C extends Collection>(
	ctx: IExecuteFunctions,
	collection: C,
	i: number,
	schemas?: { [N in FieldName<C>]?: Schema<ValueOf<FieldOf<C, N>>> },
): CollectionValues<C>;
export function readCollection(
	ctx: IExecuteFunctions,
	collection: Collection,
	i: number,
	schemas: Record<string, Schema<unknown> | undefined> = {},
): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	for (const field of collection.options) {
		values[field.name] = readField(ctx, field, i, { within: collection, schema: schemas[field.name] ?? schemaOf(field) });
	}
	return values;
}

/** `values` under other names: each key `K` becomes `names[K]` (the names an API gives the fields). */
export type Renamed<V, N extends { [K in keyof V]: PropertyKey }> = { [K in keyof V as N[K]]: V[K] };

export function renameKeys<V extends object, N extends { [K in keyof V]: PropertyKey }>(values: V, names: N): Renamed<V, N>;
export function renameKeys(values: Record<string, unknown>, names: Record<string, PropertyKey>): Record<PropertyKey, unknown> {
	return Object.fromEntries(Object.entries(values).map(([key, value]) => [names[key], value]));
}

/** The field `name` of a declared collection, with its declared type. */
export function optionOf<C extends Collection, N extends FieldName<C>>(collection: C, name: N): FieldOf<C, N>;
export function optionOf(collection: Collection, name: string): INodeProperties {
	for (const option of collection.options) if (option.name === name) return option;
	throw new RangeError(`${collection.name} has no option ${name}`);
}

/** An http(s) URL (scheme in any case, sent in lower case), with a host. */
export const httpUrl = (whatItIs: string) =>
	z
		.string({ invalid_type_error: 'must be a URL' })
		.trim()
		.min(1, `is required: ${whatItIs}`)
		.transform((value) => value.replace(/^[a-z][a-z0-9+.-]*:/i, (scheme) => scheme.toLowerCase()))
		.refine((value) => {
			try {
				const url = new URL(value);
				return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
			} catch {
				return false;
			}
		}, 'must be an http:// or https:// URL');
