// One private temp folder per `jest` run: every os.tmpdir() in the tests (n8n user folders, the
// engine's N8N_USER_FOLDER, binary-data folders, Chromium profiles, PostgreSQL/Redis data) lands
// inside it, and global-teardown.js removes it. The real-n8n install cache stays where it was.
const fs = require('fs');
const os = require('os');
const path = require('path');

module.exports = async () => {
	const outer = os.tmpdir();
	if (!process.env.SEGMIND_N8N_CACHE) process.env.SEGMIND_N8N_CACHE = path.join(outer, 'segmind-n8n-cache');
	const dir = fs.mkdtempSync(path.join(outer, 'segmind-jest-run-'));
	// mkdtemp makes it 0700; the queue-mode test runs PostgreSQL as another user, which must reach
	// its data folder inside (it cannot list or write here).
	fs.chmodSync(dir, 0o711);
	process.env.SEGMIND_JEST_RUN_TMP = dir;
	process.env.TMPDIR = dir;
};
