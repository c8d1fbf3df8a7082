// ESLint 9 flat config.
// 1. eslint-plugin-n8n-nodes-base: it ships legacy config objects, so its rules are spread per
//    file glob, as in n8n-nodes-starter.
// 2. On top, n8n's newer rules from `@n8n/node-cli/eslint` (what `n8n-node lint` runs:
//    @n8n/eslint-plugin-community-nodes, typescript-eslint and import-x recommended), limited to
//    the shipped sources (nodes/, credentials/, package.json). Its own copy of the n8n-nodes-base
//    rule sets is left out: the blocks in 1. already apply them, with the project's plugin version.
// `npm run verify:n8n` runs n8n's verification scanner itself (inline disables ignored).
const tsParser = require('@typescript-eslint/parser');
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base');
const { config: n8nNodeCli } = require('@n8n/node-cli/eslint');

const SHIPPED_TS = ['nodes/**/*.ts', 'credentials/**/*.ts'];
const usesNodesBase = (block) =>
	Object.keys(block.plugins || {}).includes('n8n-nodes-base') ||
	Object.keys(block.rules || {}).some((rule) => rule.startsWith('n8n-nodes-base/'));
const n8nNewerRules = n8nNodeCli
	.filter((block) => !(block.ignores && Object.keys(block).length <= 2 && !block.files)) // its globalIgnores(['dist'])
	.filter((block) => !usesNodesBase(block) || block.settings)
	.map((block) => {
		if (usesNodesBase(block)) return { settings: block.settings }; // the import-x resolver only
		if (block.files && block.files.includes('**/*.ts')) return { ...block, files: SHIPPED_TS };
		return block;
	});

module.exports = [
	{
		ignores: ['dist/**', 'node_modules/**', 'out/**', 'coverage/**', 'docs/**', '**/*.js', '!eslint.config.js'],
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: { ...n8nNodesBase.configs.community.rules },
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, sourceType: 'module' },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Our documentation URL is this package's README (its Credentials section), not an n8n docs page.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, sourceType: 'module' },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// Both misfire on `[NodeConnectionTypes.Main]`, which is what n8n-workflow 2.x wants
			// (n8n-nodes-starter turns them off for the same reason).
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	...n8nNewerRules,
];
