/**
 * Two stages: `unit` (npm run test:unit, and npm run test:quick, the inner loop) and `volume`
 * (npm run test:volume: thousands of requests). Timings per file and per test: CONTRIBUTING.md, "Test timings".
 */
const shared = {
	testEnvironment: '<rootDir>/test/support/quietEnvironment.cjs',
	testMatch: ['**/*.test.ts'],
	transform: {
		// tsconfig.jest.json = tsconfig.test.json with isolatedModules: each file is transpiled on its own.
		// Type errors are `npm run typecheck`'s job; ts-jest's language service cost ~13 s of CPU per run.
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
	},
};

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 60_000,
	// Two workers on the 2-core machine: most tests wait on sockets and timers, and the volume stage
	// (mostly waiting for timeouts) runs beside the unit files instead of after them.
	maxWorkers: 2,
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
