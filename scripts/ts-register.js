'use strict';
// Lets plain `node` scripts (demo, bench) require the TypeScript test harness: each .ts file
// is transpiled on load with the project's own TypeScript (no extra runtime such as ts-node).
const fs = require('fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021, esModuleInterop: true },
		fileName: filename,
	});
	module._compile(outputText, filename);
};
