import type { IExecuteFunctions } from 'n8n-workflow';

import { describeBytes, detectImageType, imageProblem, INPUT_MIME_TYPES } from '../helpers/image';
import { declareField, httpUrl, labelOf, readField, ValidationFailure } from '../helpers/parameters';
import { forTools, FOR_PEOPLE } from '../helpers/toolFields';
import { megabytes } from '../helpers/values';
import { operationsThat } from './operationTraits';

/** Operations that send a job: they show the photo's fields. */
const JOB_OPERATIONS = operationsThat('sendsJob');

export const imageSourceField = declareField({
	displayName: 'Image Source',
	name: 'imageSource',
	type: 'options',
	default: 'url',
	// An agent has no file to give: in tool mode the photo is always a URL.
	displayOptions: { show: { operation: JOB_OPERATIONS }, hide: { '@tool': [true] } },
	options: [
		{ name: 'URL', value: 'url', description: 'A public link to the face photo' },
		{ name: 'Binary File', value: 'binary', description: 'A photo file from the incoming item, uploaded to Segmind first' },
	],
	description: 'Where the face photo comes from',
});

export const imageUrlField = declareField({
	displayName: 'Image URL',
	name: 'imageUrl',
	type: 'string',
	default: '',
	required: true,
	displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['url'], ...FOR_PEOPLE } },
	placeholder: 'e.g. https://example.com/face.jpg',
	description:
		"Public http(s) link to a photo of one person's face (JPEG, PNG or WebP; the image itself, not a web page)",
});

/** Image URL in an agent's tool: the model gives the photo's link (a tool has no file to give). */
export const toolImageUrlField = forTools(imageUrlField, { operation: JOB_OPERATIONS });

export const binaryPropertyNameField = declareField({
	displayName: 'Input Data Field Name',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	displayOptions: { show: { operation: JOB_OPERATIONS, imageSource: ['binary'] } },
	hint: 'The name of the input field holding the photo file (JPEG, PNG or WebP)',
	description: 'Name of the binary field of the incoming item that holds the face photo',
});

/** The photo's fields, in the panel's order. */
export const imageFields = [imageSourceField, imageUrlField, toolImageUrlField, binaryPropertyNameField];

/** Where a job's photo comes from: a URL sent as is, or a binary field uploaded first. */
export type ImageInput =
	| { source: 'url'; url: string }
	| { source: 'binary'; propertyName: string; mimeType: string };

const FIELD = labelOf(binaryPropertyNameField);
const MIME_NOT_IMAGE = /^(?!image\/)(?!application\/octet-stream$)(?!$)/i;

/**
 * A file on the item that cannot be used: the field named the right file, the file is wrong, so
 * the error is about the photo: 'Invalid input photo: the file in "data" (cv.pdf) is not an image…'.
 */
function badPhoto(propertyName: string, fileName: string | undefined, problem: string): ValidationFailure {
	return new ValidationFailure('input photo', problem, propertyName, `the file in "${propertyName}"${fileName ? ` (${fileName})` : ''}`);
}

/**
 * Item `i`'s photo, checked before anything is sent: a URL must be http(s); a binary file must be
 * on the item and be a whole JPEG, PNG or WebP within "Max Input Image Size (MB)" by its bytes,
 * whatever its MIME type or file name says. The bytes are read here to check them and dropped:
 * holding every photo of a batch until its upload would cost the batch's size in memory.
 */
export async function readImageInput(
	ctx: IExecuteFunctions,
	i: number,
	limits: { maxInputImageSizeMb: number; toolMode: boolean },
): Promise<ImageInput> {
	// In tool mode n8n hides Image Source (an agent has no file to pass), so it reads as URL.
	const source = limits.toolMode ? 'url' : readField(ctx, imageSourceField, i);
	if (source !== 'binary') {
		const url = readField(ctx, imageUrlField, i, { schema: httpUrl('a public http:// or https:// link to the face photo') });
		return { source: 'url', url };
	}
	const propertyName = readField(ctx, binaryPropertyNameField, i).trim();
	if (!propertyName) throw new ValidationFailure(FIELD, 'is required: the name of the binary field with the photo', propertyName);
	const binary = ctx.getInputData()[i]?.binary?.[propertyName];
	if (!binary) {
		const present = Object.keys(ctx.getInputData()[i]?.binary ?? {});
		throw new ValidationFailure(
			FIELD,
			`is not on the incoming item (${present.length ? `it has: ${present.join(', ')}` : 'it has no binary data'})`,
			propertyName,
		);
	}
	const declaredType = (binary.mimeType ?? '').toLowerCase();
	const wrongFile = (problem: string) => badPhoto(propertyName, binary.fileName, problem);
	if (MIME_NOT_IMAGE.test(declaredType)) {
		throw wrongFile(`is not an image (it is ${declaredType}); use a JPEG, PNG or WebP photo`);
	}
	const maxBytes = limits.maxInputImageSizeMb * 1024 * 1024;
	const tooLarge = (size: number) =>
		wrongFile(
			`is ${megabytes(size)}, over the ${limits.maxInputImageSizeMb} MB limit of "Max Input Image Size (MB)"; use a smaller photo or raise that option`,
		);
	// The size n8n recorded (when it did) refuses a huge file without reading it into memory.
	const declaredSize = binary.bytes;
	if (typeof declaredSize === 'number' && declaredSize > maxBytes) throw tooLarge(declaredSize);
	const bytes = await ctx.helpers.getBinaryDataBuffer(i, propertyName);
	const type = detectImageType(bytes);
	if (!type) throw wrongFile(`is not an image (${describeBytes(bytes, declaredType)}); use a JPEG, PNG or WebP photo`);
	if (!INPUT_MIME_TYPES.includes(type.mimeType)) {
		throw wrongFile(`is a ${type.extension.toUpperCase()} image; Segmind's face-to-many takes a JPEG, PNG or WebP photo: convert it first`);
	}
	if (bytes.length > maxBytes) throw tooLarge(bytes.length);
	const problem = imageProblem(bytes, type);
	if (problem) throw wrongFile(`is an incomplete image (${problem}); use the whole file`);
	return { source: 'binary', propertyName, mimeType: type.mimeType };
}

/** The photo's URL for the job: a binary file is uploaded to Segmind's storage first. */
export async function imageUrlFor(
	ctx: IExecuteFunctions,
	i: number,
	image: ImageInput,
	upload: (bytes: Buffer, mimeType: string) => Promise<string>,
): Promise<string> {
	if (image.source === 'url') return image.url;
	return await upload(await ctx.helpers.getBinaryDataBuffer(i, image.propertyName), image.mimeType);
}
