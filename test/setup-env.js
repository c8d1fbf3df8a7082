// n8n-core writes its config under N8N_USER_FOLDER on import: keep it in a private temp dir.
const fs = require('fs');
const os = require('os');
const path = require('path');

if (!process.env.N8N_USER_FOLDER || !process.env.N8N_USER_FOLDER.includes('segmind-jest-')) {
	process.env.N8N_USER_FOLDER = fs.mkdtempSync(path.join(os.tmpdir(), 'segmind-jest-'));
}
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';
