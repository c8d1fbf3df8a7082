/** Connection-level failures, reduced to a code and a key-free message. */

/** The code of a TransportError raised because the item's Timeout ran out. */
export const ITEM_DEADLINE = 'EITEMDEADLINE';

/** A connection-level failure, stripped of the request (and so of the API key). */
export class TransportError extends Error {
	constructor(
		readonly code: string,
		message: string,
		/** False when the request surely was not sent (e.g. the item's time ran out while it waited). */
		readonly sent?: boolean,
		/** ITEM_DEADLINE: what the last try got, when there was one (e.g. "HTTP 503"). */
		readonly lastTry?: string,
	) {
		super(message);
		this.name = 'TransportError';
	}

	/** True when the request surely never reached the server. */
	get neverSent(): boolean {
		return this.sent === false || ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(this.code);
	}

	/** True when the item's own Timeout ran out (not one request's). */
	get itemDeadline(): boolean {
		return this.code === ITEM_DEADLINE;
	}
}

const ERROR_CODES =
	/\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ECONNABORTED|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|ERR_CANCELED)\b/;

/** Reduce whatever the n8n helper threw to a code and a short, key-free message. */
export function toTransportError(error: unknown): TransportError {
	const candidates: unknown[] = [];
	let current: unknown = error;
	for (let depth = 0; current && depth < 4; depth++) {
		candidates.push(current);
		current = (current as { cause?: unknown }).cause;
	}
	let code = '';
	for (const candidate of candidates) {
		const c = candidate as { code?: unknown };
		if (!code && typeof c.code === 'string' && c.code) code = c.code;
	}
	const text = candidates.map((c) => String((c as Error)?.message ?? '')).join(' ');
	const fromText = ERROR_CODES.exec(text);
	if ((!code || code === 'ERR_BAD_RESPONSE' || code === 'ERR_BAD_REQUEST') && fromText) code = fromText[1];
	if (/timeout of \d+ms exceeded/i.test(text)) code = 'ETIMEDOUT';
	if (/socket hang up/i.test(text) && !code) code = 'ECONNRESET';
	return new TransportError(code || 'EUNKNOWN', describeTransport(code || 'EUNKNOWN'));
}

function describeTransport(code: string): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'the server refused the connection';
		case 'ECONNRESET':
		case 'EPIPE':
			return 'the connection was closed before the answer arrived';
		case 'ETIMEDOUT':
		case 'ESOCKETTIMEDOUT':
		case 'ECONNABORTED':
			return 'no answer arrived in time';
		case 'ENOTFOUND':
		case 'EAI_AGAIN':
			return 'the host name could not be resolved';
		default:
			return `the connection failed (${code})`;
	}
}
