/**
 * Two stages: `unit` (npm run test:unit, and npm run test:quick, the inner loop) and `volume`
 * (npm run test:volume: thousands of requests). How to measure times per file and per test: CONTRIBUTING.md,
 * "Bundles and test times".
 * The unit files run in bundles, a few files per module registry (test/bundles/bundles.cjs).
 */
const { bundleEntries, unitTestFiles } = require('./test/bundles/bundles.cjs');

const shared = {
	testEnvironment: '<rootDir>/test/support/quietEnvironment.cjs',
	transform: {
		// tsconfig.jest.json = tsconfig.test.json with isolatedModules: each file is transpiled on its own.
		// Type errors are `npm run typecheck`'s job; ts-jest's language service cost ~13 s of CPU per run.
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.jest.json', diagnostics: false }],
	},
};

/** @type {import('jest').Config} */
module.exports = {
	testTimeout: 60_000,
	// A run that selects the bundles runs the unit files in them, not each on its own.
	testSequencer: '<rootDir>/test/bundles/sequencer.cjs',
	// Two workers on the 2-core machine: most tests wait on sockets and timers, and the volume stage
	// (mostly waiting for timeouts) runs beside the unit files instead of after them.
	maxWorkers: 2,
	projects: [
		{
			...shared,
			displayName: 'unit',
			roots: ['<rootDir>/test'],
			// Each file on its own (`npx jest test/foundation/ids.test.ts`) and the bundles holding them.
			testMatch: [...unitTestFiles(), ...bundleEntries()],
		},
		{
			...shared,
			displayName: 'volume',
			roots: ['<rootDir>/test/volume'],
			testMatch: ['**/*.test.ts'],
		},
	],
};
