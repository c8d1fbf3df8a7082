import { FROM_AI_AUTO_GENERATED_MARKER, type IDisplayOptions, type INodeProperties } from 'n8n-workflow';

/** Display rule of a field shown to people (the regular node): an agent's tool gets its twin instead, see forTools(). */
export const FOR_PEOPLE = { '@tool': [false] };

/**
 * A field as an AI Agent's tool shows it: the same name, label and checks, but text whose default
 * is the value n8n's own ✨ button ("let the model define this parameter") writes: a marked
 * $fromAI() call under the key the button derives from the label, with the field's description as
 * what the model reads, and `fallback` (when given) making it optional for the model. So a tool
 * added fresh from an agent's Tool "+" works with nothing filled in, and the panel shows each of
 * these fields as "defined automatically by the model" (click to edit its description, or fix it).
 * Text, because n8n gives the ✨ button to no options field, and an options field draws a red
 * "not supported" for any value outside its list, which a model's words often are.
 */
export function forTools(field: INodeProperties, show: IDisplayOptions['show'], fallback?: string): INodeProperties {
	const key = field.displayName.replace(/[^a-zA-Z0-9-]/g, '_');
	const args = [`'${key}'`, `\`${field.description}\``, "'string'", ...(fallback === undefined ? [] : [`'${fallback}'`])];
	const twin: INodeProperties = {
		...field,
		type: 'string',
		default: `={{ ${FROM_AI_AUTO_GENERATED_MARKER} $fromAI(${args.join(', ')}) }}`,
		displayOptions: { show: { ...show, '@tool': [true] } },
	};
	// Plain text: nothing of a pick list.
	delete twin.options;
	delete twin.allowArbitraryValues;
	return twin;
}
