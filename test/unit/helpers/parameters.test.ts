/**
 * Reading a field through its declaration: the value, its check and (checked by `npm run
 * typecheck`) its TypeScript type all come from the one object the panel shows. The node's own
 * readers are tested beside them (test/unit/actions/jobInput.test.ts, runOptions.test.ts).
 */
import {
	declareField,
	optionOf,
	readCollection,
	readField,
	renameKeys,
	ValidationFailure,
	type CollectionValues,
	type ValueOf,
} from '../../../nodes/SegmindFaceToMany/helpers/parameters';
import { z } from 'zod';

import { fakeContext } from '../fakeContext';

/** True only when A and B are the same type. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const settings = declareField({
	displayName: 'Settings',
	name: 'settings',
	type: 'collection',
	default: {},
	options: [
		{ displayName: 'Count', name: 'count', type: 'number', default: 3, typeOptions: { minValue: 1, maxValue: 10, numberPrecision: 0 } },
		{ displayName: 'Enabled', name: 'enabled', type: 'boolean', default: false },
		{ displayName: 'Label', name: 'label', type: 'string', default: 'plain' },
		{
			displayName: 'Mode',
			name: 'mode',
			type: 'options',
			default: 'fast',
			options: [
				{ name: 'Fast', value: 'fast' },
				{ name: 'Very Slow', value: 'slow' },
			],
		},
	],
});

const read = (values: Record<string, unknown>) => readCollection(fakeContext({ settings: values }).ctx, settings, 0);

describe('the type of a value derives from its declaration', () => {
	test('a number, a boolean, text, one of the option values; a collection, each of its fields by name', () => {
		const derived: Equal<CollectionValues<typeof settings>, { count: number; enabled: boolean; label: string; mode: 'fast' | 'slow' }> = true;
		const mode: Equal<ValueOf<typeof settings.options[3]>, 'fast' | 'slow'> = true;
		expect([derived, mode]).toEqual([true, true]);
	});

	test('optionOf finds a field of a collection by name, with its declared type; an unknown name does not compile', () => {
		const count = optionOf(settings, 'count');
		const typed: Equal<typeof count.default, 3> = true;
		expect([count.displayName, typed]).toEqual(['Count', true]);
		// @ts-expect-error: the collection has no such field
		expect(() => optionOf(settings, 'colour')).toThrow('settings has no option colour');
	});
});

describe('readCollection', () => {
	test('every field with its declared default where it is not set', () => {
		expect(read({})).toEqual({ count: 3, enabled: false, label: 'plain', mode: 'fast' });
	});

	test('values as people and expressions write them: numbers and booleans as text, an option by its shown name in any case', () => {
		expect(read({ count: ' 7 ', enabled: 'true', label: 42, mode: 'very_slow' })).toEqual({ count: 7, enabled: true, label: '42', mode: 'slow' });
	});

	test('a value outside the declared range or list names the field and what is allowed', () => {
		expect(() => read({ count: 11 })).toThrow(new ValidationFailure('"Count"', 'must be between 1 and 10', 11));
		expect(() => read({ count: 2.5 })).toThrow('Invalid "Count": 2.5 must be a whole number between 1 and 10');
		expect(() => read({ mode: 'medium' })).toThrow('Invalid "Mode": "medium" must be one of "fast", "slow"');
	});

	test("a field's own schema says what the declaration cannot (its value keeps the declared type)", () => {
		const label = z.string().trim().min(1, 'is required');
		const withSchema = (values: Record<string, unknown>) => readCollection(fakeContext({ settings: values }).ctx, settings, 0, { label });
		expect(withSchema({ label: '  tidy  ' }).label).toBe('tidy');
		expect(() => withSchema({ label: ' ' })).toThrow('Invalid "Label": " " is required');
	});
});

describe('readField', () => {
	const mode = optionOf(settings, 'mode');

	test('reads a field inside its collection, typed by its declaration', () => {
		const value = readField(fakeContext({ settings: { mode: 'Fast' } }).ctx, mode, 0, { within: settings });
		const typed: Equal<typeof value, 'fast' | 'slow'> = true;
		expect([value, typed]).toEqual(['fast', true]);
	});

	test('an expression default is n8n\'s to run: when it gives nothing, the check says the field is required', () => {
		const requestId = declareField({ displayName: 'Request ID', name: 'requestId', type: 'string', default: '={{ $json.id }}' });
		expect(() => readField(fakeContext({}).ctx, requestId, 0)).toThrow('Invalid "Request ID": the value is required');
	});
});

describe('renameKeys', () => {
	test("gives each value the API's name for it, typed", () => {
		const renamed = renameKeys({ count: 1, label: 'a' }, { count: 'item_count', label: 'item_label' } as const);
		const typed: Equal<typeof renamed, { item_count: number; item_label: string }> = true;
		expect([renamed, typed]).toEqual([{ item_count: 1, item_label: 'a' }, true]);
	});
});
