/** Replace every occurrence of each secret (the API key) in `text`; a server may echo the key back. */
export function redact(text: string, secrets: readonly string[]): string {
	let clean = text;
	for (const secret of secrets) {
		// A key shorter than 8 characters would also blank out ordinary words: no real key is that short.
		if (secret && secret.length >= 8) clean = clean.split(secret).join('[redacted]');
	}
	return clean;
}
