/**
 * The words a user reads for each failure, composed from its facts. The texts are pinned as the
 * node showed them before failures became facts (and as the README's error table promises them);
 * toNodeError adds the item, the advice for known model texts and the request ID (toNodeError.test.ts).
 */
import { SegmindFailure, type FailureContext, type FailureFacts } from '../../../nodes/SegmindFaceToMany/errors/failures';
import { failedCheckText, failureText } from '../../../nodes/SegmindFaceToMany/errors/messages';

const HINT = (id: string) =>
	`Collect it with the Get Job Result operation and request ID ${id} within 1 hour (Segmind keeps results that long).`;

const cases: Array<[FailureFacts, FailureContext, string, string]> = [
	[
		{ problem: 'httpError', step: 'submit', status: 401, said: 'Invalid API key [redacted]', maxRetries: 0 },
		{},
		'Segmind rejected the API key (401): it is missing or invalid',
		'Check the API key in your Segmind API credential; keys are on the API Keys page of your Segmind console. Segmind says: "Invalid API key [redacted]"',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 403, maxRetries: 0 },
		{},
		'Segmind refused access to this model for your account (403)',
		'Check your Segmind plan and API key permissions.',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 406, said: 'Insufficient credits', maxRetries: 0 },
		{},
		'Insufficient Segmind credits to run this job (406)',
		'Segmind says: "Insufficient credits" Top up your credits in the Segmind console, then run the workflow again.',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 429, said: 'Rate limit exceeded', maxRetries: 0 },
		{},
		'Segmind rate limit reached while submitting the job (429), still after 0 retries',
		'Free plans allow 5 requests a minute, Pro 50. Set "Max Requests per Minute" to your plan limit, set "Max Jobs in Flight", or try later. Segmind says: "Rate limit exceeded"',
	],
	[
		{ problem: 'maybeBilled', step: 'submit', after: 'serverError', status: 500 },
		{ requestId: 'r5' },
		'The job was sent to Segmind but Segmind answered HTTP 500: a job may have been created and billed',
		'The node did not send it again, to avoid paying twice. Segmind named it r5: Collect it with the Get Job Result operation and request ID r5 within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'maybeBilled', step: 'submit', after: 'serverError', status: 502 },
		{ requestId: 'h502' },
		'The job was sent to Segmind but Segmind answered HTTP 502: a job may have been created and billed',
		'The node did not send it again, to avoid paying twice. Segmind named it h502: Collect it with the Get Job Result operation and request ID h502 within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 400, said: 'bad param', maxRetries: 0 },
		{},
		'Segmind rejected the request while submitting the job (HTTP 400): bad param',
		"Check the node's parameters.",
	],
	[
		{ problem: 'httpError', step: 'submit', status: 410, maxRetries: 0 },
		{},
		'Segmind rejected the request while submitting the job (HTTP 410)',
		'Segmind says this model is retired.',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 302, maxRetries: 0 },
		{},
		'Segmind answered with a redirect (HTTP 302) while submitting the job',
		'The node never follows a redirect with your API key (it could lead to another host). Check the Base URL and Upload Base URL in the Segmind credential (e.g. https, no extra path).',
	],
	[
		{ problem: 'httpError', step: 'submit', status: 418, said: 'teapot', maxRetries: 0 },
		{},
		'Segmind answered HTTP 418 while submitting the job: teapot',
		'',
	],
	[{ problem: 'httpError', step: 'submit', status: 418, maxRetries: 0 }, {}, 'Segmind answered HTTP 418 while submitting the job', ''],
	[
		{ problem: 'badSubmitAnswer' },
		{},
		'Segmind accepted the job but its answer is not JSON',
		'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item. Check the Base URL in the Segmind credential points at the API.',
	],
	[
		{ problem: 'badSubmitAnswer', missing: ['status_url', 'response_url'] },
		{ requestId: 'abc' },
		'Segmind accepted the job but its answer lacks status_url, response_url',
		'The node did not send it again, to avoid paying twice. Segmind named it abc: Collect it with the Get Job Result operation and request ID abc within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'badSubmitAnswer', missing: ['request_id', 'status_url', 'response_url'] },
		{},
		'Segmind accepted the job but its answer lacks request_id, status_url, response_url',
		'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
	],
	[
		{ problem: 'foreignHost', origin: 'https://evil.com', allowed: ['https://api.segmind.com'] },
		{ requestId: 'abc' },
		"Segmind's answer points at another host (https://evil.com); the node sends the API key only to the credential's hosts (https://api.segmind.com)",
		'Nothing was sent there. The job abc may have been created and billed: Collect it with the Get Job Result operation and request ID abc within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'unreachable', step: 'submit', cause: 'the server refused the connection', baseUrl: 'https://api.segmind.com' },
		{},
		'Could not reach Segmind while submitting the job: the server refused the connection',
		'Check your network and the Base URL in the Segmind credential (https://api.segmind.com).',
	],
	[
		{ problem: 'maybeBilled', step: 'submit', after: 'noAnswer', cause: 'the connection was closed before the answer arrived' },
		{},
		'The job was sent to Segmind but no answer came back (the connection was closed before the answer arrived): a job may have been created and billed',
		'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
	],
	[
		{ problem: 'maybeBilled', step: 'submit', after: 'timeout', awaiting: 'answer' },
		{},
		"The job was sent to Segmind but the item's Timeout ran out before the answer came: a job may have been created and billed",
		'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
	],
	[
		{ problem: 'expired' },
		{ requestId: 'job-1' },
		'Request job-1 expired or unknown',
		"Segmind keeps a job's status and result for 1 hour after it is submitted. Check the request ID, or run the image again.",
	],
	[
		{ problem: 'unreadableJobAnswer', step: 'status', notJson: true },
		{ requestId: 'job-1' },
		"Segmind's answer while checking the job status for job job-1 is not JSON",
		'The job may still complete. Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'unreadableJobAnswer', step: 'status', notJson: false },
		{ requestId: 'job-1' },
		"Segmind's answer while checking the job status for job job-1 has no job status",
		'The job may still complete. Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'httpError', step: 'status', status: 503, maxRetries: 0 },
		{ requestId: 'job-1' },
		'Segmind had a server error while checking the job status (HTTP 503), still after 0 retries',
		'The job job-1 may still complete: use the Get Job Result operation to collect it.',
	],
	[
		{ problem: 'httpError', step: 'status', status: 429, maxRetries: 0 },
		{ requestId: 'job-1' },
		'Segmind rate limit reached while checking the job status (429), still after 0 retries',
		'Free plans allow 5 requests a minute, Pro 50. Set "Max Requests per Minute" to your plan limit, set "Max Jobs in Flight", or try later.',
	],
	[
		{ problem: 'unreachable', step: 'status', cause: 'the server refused the connection', baseUrl: 'https://api.segmind.com' },
		{ requestId: 'job-1' },
		'Could not reach Segmind while checking the job status: the server refused the connection',
		'Check your network and the Base URL in the Segmind credential (https://api.segmind.com). The job job-1 may still complete: use the Get Job Result operation to collect it.',
	],
	[
		{ problem: 'foreignHost', origin: 'https://evil.com', allowed: ['https://api.segmind.com', 'https://workflows-api.segmind.com'] },
		{ requestId: 'job-1' },
		"Segmind's answer points at another host (https://evil.com); the node sends the API key only to the credential's hosts (https://api.segmind.com, https://workflows-api.segmind.com)",
		'Nothing was sent there. The job job-1 may have been created and billed: Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'itemTimeout', step: 'status', timeoutMs: 100, lastTry: 'no answer arrived in time' },
		{ requestId: 'job-1' },
		"Segmind job job-1: the item's Timeout (0.1 s) ran out while checking the job status (the last try: no answer arrived in time)",
		'The job is running or done at Segmind and will be billed. Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long). Or raise "Timeout (Seconds)" in the node\'s options.',
	],
	[
		{ problem: 'jobFailed', reason: 'CUDA oom' },
		{ requestId: 'job-1' },
		'The Segmind job failed: CUDA oom',
		'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.',
	],
	[{ problem: 'notCompleted', jobStatus: 'PROCESSING' }, { requestId: 'job-1' }, 'Segmind says job job-1 is PROCESSING, not COMPLETED', ''],
	[
		{ problem: 'noOutputUrl' },
		{ requestId: 'job-1' },
		"Segmind's result for job job-1 has no output image URL",
		'Expected "output" (a URL or a list of URLs) or "images[0].url" in the result.',
	],
	[
		{ problem: 'httpError', step: 'result', status: 500, said: 'x', maxRetries: 0 },
		{ requestId: 'job-1' },
		'Segmind had a server error while fetching the job result (HTTP 500), still after 0 retries',
		'Segmind says: "x" The job job-1 may still complete: use the Get Job Result operation to collect it.',
	],
	[
		{ problem: 'imageLinkFailed', status: 404, host: 'img.segmind.com' },
		{ requestId: 'job-1' },
		'The output image link on img.segmind.com is expired or gone (HTTP 404)',
		'Output links live 7 days.',
	],
	[
		{ problem: 'imageLinkFailed', status: 403, host: 'img.segmind.com' },
		{ requestId: 'job-1' },
		'The output image link on img.segmind.com is expired or gone (HTTP 403)',
		'Output links live 7 days.',
	],
	[
		{ problem: 'imageLinkFailed', status: 500, host: 'img.segmind.com' },
		{ requestId: 'job-1' },
		'Could not download the output image from img.segmind.com (HTTP 500)',
		'',
	],
	[
		{ problem: 'notAnImage', host: 'img.segmind.com', seen: 'an HTML page' },
		{ requestId: 'job-1' },
		'The output URL did not return an image (an HTML page)',
		'',
	],
	[
		{ problem: 'imageTooLarge', host: 'img.segmind.com', bytes: 5000, capBytes: 1000 },
		{ requestId: 'job-1' },
		'The output image is 0.0 MB, over the 0 MB limit',
		'Raise "Max Output Image Size (MB)" in the node\'s options, or fetch it from img.segmind.com yourself.',
	],
	[
		{ problem: 'imageIncomplete', host: 'img.segmind.com', detail: 'the PNG ends after 60 bytes, before its IEND chunk' },
		{ requestId: 'job-1' },
		'The output image from img.segmind.com is incomplete (the PNG ends after 60 bytes, before its IEND chunk) for job job-1',
		'It was downloaded twice and arrived cut short both times. The job is done and billed: Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long).',
	],
	[
		{
			problem: 'unreachable',
			step: 'download',
			cause: 'the server refused the connection',
			baseUrl: 'https://api.segmind.com',
			imageHost: 'img.segmind.com',
		},
		{ requestId: 'job-1' },
		'Could not reach the image host img.segmind.com while downloading the output image: the server refused the connection',
		'Check your network; the image is served by img.segmind.com, not by the Base URL. The job job-1 may still complete: use the Get Job Result operation to collect it.',
	],
	[
		{
			problem: 'unreachable',
			step: 'download',
			cause: 'the server refused the connection',
			baseUrl: 'https://api.segmind.com',
			imageHost: 'img.segmind.com',
		},
		{},
		'Could not reach the image host img.segmind.com while downloading the output image: the server refused the connection',
		'Check your network; the image is served by img.segmind.com, not by the Base URL.',
	],
	[
		{ problem: 'itemTimeout', step: 'download', timeoutMs: 100, lastTry: 'no answer arrived in time' },
		{ requestId: 'job-1' },
		"Segmind job job-1: the item's Timeout (0.1 s) ran out while downloading the output image (the last try: no answer arrived in time)",
		'The job is running or done at Segmind and will be billed. Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long). Or raise "Timeout (Seconds)" in the node\'s options.',
	],
	[
		{ problem: 'httpError', step: 'upload', status: 500, maxRetries: 0 },
		{},
		'Segmind had a server error while uploading the input image (HTTP 500), still after 0 retries',
		'Try again later.',
	],
	[{ problem: 'noUploadUrl' }, {}, "Segmind's asset upload answered without a file URL (file_urls or urls)", ''],
	[
		{ problem: 'httpError', step: 'credits', status: 500, maxRetries: 0 },
		{},
		'Segmind had a server error while reading the credit balance (HTTP 500), still after 0 retries',
		'Try again later.',
	],
	[{ problem: 'creditsNotJson' }, {}, 'Segmind answered the credit balance request without JSON', ''],
	[
		{ problem: 'maybeBilled', step: 'run', after: 'serverError', status: 500 },
		{},
		'The job was sent to Segmind but Segmind answered HTTP 500: a job may have been created and billed',
		'The node did not send it again, to avoid paying twice. Look for the job in your Segmind console (Requests / usage history) before re-running this item.',
	],
	[{ problem: 'notAnImage', seen: 'an HTML page' }, { requestId: 'v1id' }, "Segmind's v1 answer is not an image (an HTML page)", ''],
	[
		{ problem: 'maybeBilled', step: 'run', after: 'incompleteImage', detail: 'the PNG ends after 60 bytes, before its IEND chunk' },
		{ requestId: 'v1id' },
		'The job was sent to Segmind but its image arrived incomplete (the PNG ends after 60 bytes, before its IEND chunk): a job may have been created and billed',
		'The node did not send it again, to avoid paying twice. Segmind named it v1id: Collect it with the Get Job Result operation and request ID v1id within 1 hour (Segmind keeps results that long).',
	],
	[
		{ problem: 'imageTooLarge', bytes: 2196, capBytes: 1000 },
		{},
		'The image is 0.0 MB, over the 0 MB limit',
		'Raise "Max Output Image Size (MB)" in the node\'s options.',
	],
	[
		{ problem: 'jobTimedOut', timeoutMs: 600000, lastStatus: 'PROCESSING; the last check failed: HTTP 503' },
		{ requestId: 'job-1' },
		'The Segmind job did not finish within 600 s',
		'Job job-1 (last status: PROCESSING; the last check failed: HTTP 503) is still running at Segmind and will be billed. Collect it with the Get Job Result operation and request ID job-1 within 1 hour (Segmind keeps results that long). Or raise "Timeout (Seconds)" in the node\'s options.',
	],
	// Paths the fake HTTP of client.test.ts does not reach (texts as the code before wrote them).
	[
		{ problem: 'itemTimeout', step: 'receive', timeoutMs: 3000 },
		{ requestId: 'job-1' },
		"Segmind job job-1: the item's Timeout (3 s) ran out while receiving the output image",
		`The job is running or done at Segmind and will be billed. ${HINT('job-1')} Or raise "Timeout (Seconds)" in the node's options.`,
	],
	[
		{ problem: 'itemTimeout', step: 'upload', timeoutMs: 5000, lastTry: 'HTTP 503' },
		{},
		"the item's Timeout (5 s) ran out while uploading the input image (the last try: HTTP 503)",
		'Nothing was billed for this item unless it was submitted. Raise "Timeout (Seconds)" in the node\'s options, or set "Max Jobs in Flight" when the rate limit makes items wait.',
	],
	[
		{ problem: 'maybeBilled', step: 'run', after: 'timeout', awaiting: 'image' },
		{ requestId: 'v1id' },
		"The job was sent to Segmind but the item's Timeout ran out before the whole image came: a job may have been created and billed",
		`The node did not send it again, to avoid paying twice. Segmind named it v1id: ${HINT('v1id')}`,
	],
	[
		{ problem: 'jobFailed', reason: 'CUDA out of memory' },
		{ requestId: 'job-1' },
		'The Segmind job failed: CUDA out of memory',
		'The job ran and Segmind reported FAILED (this includes content-safety blocks). Check the input image and parameters.',
	],
	[
		{ problem: 'imageLinkFailed', status: 410, host: 'img.segmind.com' },
		{},
		'The output image link on img.segmind.com is expired or gone (HTTP 410)',
		'Output links live 7 days.',
	],
	[
		{ problem: 'imageTooLarge', host: 'img.segmind.com', capBytes: 1048576 },
		{},
		'The output image is over the 1 MB limit',
		'Raise "Max Output Image Size (MB)" in the node\'s options, or fetch it from img.segmind.com yourself.',
	],
	[
		{ problem: 'lowBalance', total: 0, credits: 0, freeCredits: 0, minimum: 0 },
		{},
		'Your Segmind credit balance is 0: no job was sent',
		'"Check Credits First" read the balance once before the batch (credits 0 + free credits 0) and stopped before any upload or job. Top up your credits in the Segmind console, then run the workflow again.',
	],
	[
		{ problem: 'lowBalance', total: 0.75, credits: 0.5, freeCredits: 0.25, minimum: 1 },
		{},
		'Your Segmind credit balance is 0.75, below the 1 set in "Minimum Credits": no job was sent',
		'"Check Credits First" read the balance once before the batch (credits 0.5 + free credits 0.25) and stopped before any upload or job. Top up your credits in the Segmind console, then run the workflow again, or lower "Minimum Credits".',
	],
	[
		{ problem: 'noBalance' },
		{ body: { error: 'maintenance' } },
		'Segmind answered the credit balance request without a balance',
		'Expected "credits" and "free-credits". No job was sent. Turn off "Check Credits First" to run without the check.',
	],
];

test.each(cases)('%j', (facts, context, message, description) => {
	expect(failureText(new SegmindFailure(facts, context))).toEqual({ message, description });
});

describe("failedCheckText (what a timeout says of the last status check when it failed)", () => {
	const cases: Array<[FailureFacts, FailureContext, string]> = [
		[{ problem: 'httpError', step: 'status', status: 503, maxRetries: 4 }, {}, 'HTTP 503'],
		[{ problem: 'unreachable', step: 'status', cause: 'connect ECONNREFUSED 127.0.0.1:9', baseUrl: 'https://api.segmind.com' }, {}, 'connect ECONNREFUSED 127.0.0.1:9'],
		[{ problem: 'unreadableJobAnswer', step: 'status', notJson: true }, { httpCode: 200, requestId: 'j1' }, 'HTTP 200'],
		[
			{ problem: 'foreignHost', origin: 'https://elsewhere.example', allowed: ['https://api.segmind.com'] },
			{ requestId: 'j1' },
			"Segmind's answer points at another host (https://elsewhere.example); the node sends the API key only to the credential's hosts (https://api.segmind.com)",
		],
	];
	test.each(cases)('%j', (facts, context, text) => {
		expect(failedCheckText(new SegmindFailure(facts, context))).toBe(text);
	});
});
