/** Two stages: `unit` (npm run test:unit) and `volume` (npm run test:volume: thousands of requests). */
const shared = {
	testEnvironment: '<rootDir>/test/support/quietEnvironment.cjs',
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: false }],
	},
};

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 60_000,
	projects: [
		{
			...shared,
			displayName: 'unit',
			roots: ['<rootDir>/test'],
			testPathIgnorePatterns: ['/test/volume/'],
		},
		{ ...shared, displayName: 'volume', roots: ['<rootDir>/test/volume'] },
	],
};
