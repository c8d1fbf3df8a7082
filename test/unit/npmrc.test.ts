/**
 * `.npmrc` explains its settings by pointing at files: every file it names is in the repository
 * (it once pointed at notes that live outside it).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');

test('.npmrc names only files that are in the repository', () => {
	const npmrc = fs.readFileSync(path.join(ROOT, '.npmrc'), 'utf8');
	const named = [...npmrc.matchAll(/(?:\.{1,2}\/)*[\w.-]+(?:\/[\w.-]+)*\.md\b/g)].map((m) => m[0]);
	expect(named.length).toBeGreaterThan(0);
	for (const file of named) {
		const resolved = path.resolve(ROOT, file);
		expect({ file, inRepository: resolved.startsWith(ROOT + path.sep) && fs.existsSync(resolved) }).toEqual({ file, inRepository: true });
	}
});
