// Removes the run's temp folder made by global-setup.js.
const fs = require('fs');

module.exports = async () => {
	const dir = process.env.SEGMIND_JEST_RUN_TMP;
	if (dir && /segmind-jest-run-/.test(dir)) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
};
