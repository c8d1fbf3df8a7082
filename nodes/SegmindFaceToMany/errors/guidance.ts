/**
 * Plain-language advice for the failure texts face-to-many is known to return.
 *
 * Segmind passes the model's exception text on as the job's `error`; the patterns below match
 * those texts. Where each comes from (or that it is a guess) is in docs/guidance-sources.md.
 * Unknown texts get no advice (`undefined`): the caller then keeps its usual message.
 *
 * Pure: no I/O, no n8n imports, so it is unit-tested with the texts alone.
 */

export type GuidanceTopic = 'noFace' | 'multipleFaces' | 'badImage' | 'contentBlocked' | 'loraRejected';

export interface Guidance {
	topic: GuidanceTopic;
	/** What happened, in plain words: the error's title. */
	title: string;
	advice: string;
}

interface Rule extends Guidance {
	patterns: RegExp[];
}

/** Checked in this order: the first rule with a matching pattern wins. */
const RULES: Rule[] = [
	{
		topic: 'loraRejected',
		title: 'Segmind could not use the Custom LoRA URL',
		patterns: [
			/custom[\s_-]*lora[\s_-]*url/i,
			/lora\.safetensors not found/i,
			/trained_model\.tar/i,
			/\binvalid\s+lora\b/i,
			/\blora\b.{0,40}\b(?:could not|couldn't|cannot|can't|failed to|unable to)\s+(?:be\s+)?(?:download|load|fetch|read)/i,
			/\b(?:could not|couldn't|cannot|can't|failed to|unable to)\s+(?:download|load|fetch|read)\b.{0,40}\blora\b/i,
		],
		advice:
			'Segmind could not use the Custom LoRA URL. It must link to a LoRA trained on Replicate, as ' +
			'https://replicate.delivery/pbxt/<id>/trained_model.tar or https://pbxt.replicate.delivery/<id>/trained_model.tar, ' +
			'and the file must still be downloadable without logging in. Check the link, or clear "Custom LoRA URL" to use the chosen Style.',
	},
	{
		topic: 'contentBlocked',
		title: "Segmind's content filter blocked the job",
		patterns: [
			/\bnsfw\b/i,
			/\bsafety\s+(?:filter|checker|system|check|policy)\b/i,
			/\bcontent[\s_-]+(?:was\s+)?(?:blocked|flagged|filtered|rejected|moderat\w*|polic\w*|violation)\b/i,
			/\b(?:blocked|flagged|rejected|filtered)\s+(?:by|for)\s+(?:the\s+|our\s+)?(?:safety|content|moderation|rai)\b/i,
			/\bmoderation\b/i,
			/\binappropriate\b/i,
			/\b(?:explicit|sensitive|unsafe)\s+content\b/i,
		],
		advice:
			"Segmind's content filter blocked this job. Use a different photo, or change the Prompt and Negative Prompt " +
			"(no nudity, violence or other content Segmind's usage policy prohibits), then run again. Segmind does not " +
			'document whether a blocked job is billed: check your credits in the Segmind console.',
	},
	{
		topic: 'multipleFaces',
		title: 'Segmind found more than one face in the photo',
		patterns: [
			/\b(?:multiple|several|too many)\s+faces\b/i,
			/\bmore\s+than\s+(?:one|1)\s+(?:face|person|people)\b/i,
			/\b(?:[2-9]|\d{2,}|two|three)\s+faces\s+(?:were\s+)?(?:detected|found)\b/i,
		],
		advice:
			'Segmind found more than one face in the photo. The model styles a single face (InstantID keeps the largest ' +
			'one it detects), so crop the photo to the one person you want, face large in the frame, and run again.',
	},
	{
		topic: 'noFace',
		title: 'Segmind found no face in the photo',
		patterns: [
			/\bno\s+faces?\s+(?:was\s+|were\s+|could\s+be\s+)?(?:detected|found)\b/i,
			/\bfaces?\s+(?:was\s+|were\s+)?not\s+(?:detected|found)\b/i,
			/\bfaces?\s+(?:could\s+not|couldn't|cannot|can't)\s+be\s+(?:detected|found)\b/i,
			/\b(?:unable|failed)\s+to\s+(?:detect|find)\s+(?:a\s+|any\s+)?faces?\b/i,
			/\b(?:could\s+not|couldn't|cannot|can't|did\s+not|didn't)\s+(?:detect|find)\s+(?:a\s+|any\s+)?faces?\b/i,
		],
		advice:
			'Segmind found no face in the photo. Use a clear, front-facing photo of one real person, face well lit and large in ' +
			'the frame (a head-and-shoulders shot works best), not covered by sunglasses, a mask or hair. Drawings, pets and ' +
			'side-on faces are often not detected. Check that the Image URL opens the photo itself, not a web page.',
	},
	{
		topic: 'badImage',
		title: 'Segmind could not read the photo',
		patterns: [
			/cannot\s+identify\s+image\s+file/i,
			/image\s+file\s+is\s+truncated/i,
			/unsupported\s+file\s+type/i,
			/\bno\s+image\s+provided\b/i,
			/\bimage\b.{0,30}\btoo\s+small\b/i,
			/\b(?:resolution|dimensions?)\b.{0,30}\btoo\s+(?:small|low)\b/i,
			/\binvalid\s+(?:input\s+)?image\b/i,
			/\b(?:could\s+not|couldn't|cannot|can't|unable\s+to|failed\s+to)\s+(?:read|decode|open|load|download|fetch)\s+(?:the\s+)?(?:input\s+|reference\s+)?image\b/i,
			/\bimage\b.{0,30}\b(?:is\s+)?(?:corrupt(?:ed)?|unreadable|truncated)\b/i,
			/\bdecoding\s+error\b/i,
		],
		advice:
			'Segmind could not read the input photo. Use a JPEG, PNG or WebP file that is not cut off or corrupt; with ' +
			'Image Source "URL", the link must open the image itself without logging in and should end in .jpg, .jpeg, .png ' +
			'or .webp (the upstream model rejects other file types). Or set Image Source to "Binary File" so the node ' +
			'uploads the file.',
	},
];

/** Advice for a Segmind/model failure text, or undefined when the text is not one we know. */
export function guidanceFor(serverText: string | undefined | null): Guidance | undefined {
	if (typeof serverText !== 'string' || !serverText.trim()) return undefined;
	for (const rule of RULES) {
		if (rule.patterns.some((pattern) => pattern.test(serverText))) return { topic: rule.topic, title: rule.title, advice: rule.advice };
	}
	return undefined;
}
