// ESLint rules for the code that never ships: test/, sandbox/, bench/ and scripts/.
//
// The root eslint.config.mjs is n8n's template, unchanged (strict mode checks that), and binds what
// ships: nodes/, credentials/ and package.json. Each dev folder has a one-line eslint.config.mjs
// re-exporting this file; `npm run lint` sets ESLINT_FLAGS=unstable_config_lookup_from_file (ESLint 10's
// default) so every file is linted with the config nearest to it. Dev code may use Node's built-ins,
// `process`, timers and the console; it gets typescript-eslint's type-aware rules instead.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;

export default tseslint.config(
	{
		files: ['**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
		languageOptions: {
			globals: globals.node,
			parserOptions: { project: 'tsconfig.test.json', tsconfigRootDir: root },
		},
		rules: {
			// Tests and the fake API handle untyped JSON and stub n8n's async interfaces on purpose.
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-unsafe-argument': 'off',
			'@typescript-eslint/no-unsafe-assignment': 'off',
			'@typescript-eslint/no-unsafe-call': 'off',
			'@typescript-eslint/no-unsafe-member-access': 'off',
			'@typescript-eslint/no-unsafe-return': 'off',
			'@typescript-eslint/require-await': 'off',
			'@typescript-eslint/no-unnecessary-type-assertion': 'off',
			'@typescript-eslint/unbound-method': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
			// URL and URLSearchParams stringify to their serialized form.
			'@typescript-eslint/restrict-template-expressions': [
				'error',
				{
					allowNumber: true,
					allow: [
						{ from: 'lib', name: ['URL', 'URLSearchParams'] },
						{ from: 'package', package: '@types/node', name: ['URL', 'URLSearchParams'] },
					],
				},
			],
			// The fake Admin API answers an error by throwing its ApiError (a response, not an Error).
			'@typescript-eslint/only-throw-error': [
				'error',
				{ allow: [{ from: 'file', name: 'ApiError' }] },
			],
		},
	},
	{
		files: ['**/*.{js,mjs,cjs}'],
		extends: [js.configs.recommended],
		languageOptions: { globals: globals.node },
	},
);
