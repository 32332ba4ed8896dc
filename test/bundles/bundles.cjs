/* global describe, it, beforeAll, afterAll, jest */
/**
 * The unit test files, run in a few bundles that each hold one module registry. Jest gives every test file
 * a registry of its own, and each of them loaded n8n-core (~2,750 modules, about 3 CPU-s) again: most of
 * the unit stage's time. A bundle entry (`unit-<n>.bundle.cjs`, one per Jest worker) requires its share of
 * the files, each inside `describe('<its path>')`, so a failure names the file it is in.
 *
 * - Which files: every `test/**\/*.test.ts` but the volume stage's (a project of its own). A new file is
 *   picked up without editing anything here.
 * - A file that replaces modules or changes the whole file's settings (jest.mock, jest.setTimeout…) would
 *   do so for every file after it: it keeps a registry of its own (OWN_REGISTRY).
 * - The split is deterministic: longest first by SECONDS, each file to the bundle with the fewest seconds.
 * - A run that selects a bundle runs the files it holds there, not each on its own (sequencer.cjs): `npx jest`,
 *   `npm test`, `npm run test:quick`. `npx jest test/foundation/ids.test.ts` runs that one file directly.
 * - Per file, the bundle restores what a file may leave behind (spies, fake timers) and fails the file that
 *   changed process.env or added a global, since the files after it would see that.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const TEST = path.join(ROOT, 'test');
/** The volume stage: jest.config.js runs it as a project of its own. */
const VOLUME = path.join(TEST, 'volume');
const OWN_REGISTRY =
	/\bjest\.(mock|doMock|unstable_mockModule|setMock|enableAutomock|resetModules|isolateModules|setTimeout|retryTimes)\(/;
const ENTRY = /^unit-(\d+)\.bundle\.cjs$/;

/**
 * Seconds the slower files' tests took, so the bundles come out even: `npx jest --json --outputFile=x.json`,
 * then `node test/bundles/bundles.cjs x.json` prints this table (2026-12-04, load 5–8). A file not listed
 * counts DEFAULT_SECONDS; a stale figure only makes the bundles less even.
 */
const SECONDS = {
	'test/foundation/concurrency.test.ts': 21.9,
	'test/hostile/keyMaterial.test.ts': 16.1,
	'test/hostile/untrustedAnswers.test.ts': 10.8,
	'test/lifecycle/sharedView.test.ts': 9.9,
	'test/hostile/exactlyOnce.test.ts': 7.7,
	'test/lifecycle/deleteEverywhere.test.ts': 6.4,
	'test/jobs/rotateTraffic.test.ts': 6.0,
	'test/x509/caExtensions.test.ts': 4.7,
	'test/x509/trust.test.ts': 4.6,
	'test/jobs/auditTrigger.test.ts': 3.8,
	'test/hostile/triggerState.test.ts': 3.4,
	'test/examples/sandboxExamples.test.ts': 3.3,
	'test/foundation/ids.test.ts': 3.1,
	'test/x509/localChecks.test.ts': 3.0,
	'test/foundation/delete.test.ts': 2.5,
	// Measured 8.4 before its transient faults' first pause became 10 ms.
	'test/foundation/retries.test.ts': 2.4,
	'test/jobs/rotateConvergent.test.ts': 2.3,
	'test/jobs/rotateCanary.test.ts': 2.0,
};
const DEFAULT_SECONDS = 1;

const relative = (file) => path.relative(ROOT, file).split(path.sep).join('/');

function testFilesIn(dir) {
	if (dir === VOLUME) return [];
	return fs
		.readdirSync(dir, { withFileTypes: true })
		.sort((a, b) => (a.name < b.name ? -1 : 1))
		.flatMap((entry) => {
			const file = path.join(dir, entry.name);
			if (entry.isDirectory()) return testFilesIn(file);
			return entry.name.endsWith('.test.ts') ? [file] : [];
		});
}

/** Every unit test file (absolute paths, sorted). */
function unitTestFiles() {
	return testFilesIn(TEST);
}

const ownsRegistry = (file) => OWN_REGISTRY.test(fs.readFileSync(file, 'utf8'));

/** The bundle entries, in order (absolute paths). */
function bundleEntries() {
	return fs
		.readdirSync(__dirname)
		.filter((name) => ENTRY.test(name))
		.sort((a, b) => Number(ENTRY.exec(a)[1]) - Number(ENTRY.exec(b)[1]))
		.map((name) => path.join(__dirname, name));
}

/** What each bundle entry holds: a Map from entry to its files (absolute paths, sorted) and their SECONDS. */
function bundles() {
	const entries = bundleEntries();
	const shares = entries.map((entry) => ({ entry, seconds: 0, files: [] }));
	const seconds = (file) => SECONDS[relative(file)] ?? DEFAULT_SECONDS;
	const files = unitTestFiles()
		.filter((file) => !ownsRegistry(file))
		.sort((a, b) => seconds(b) - seconds(a) || (a < b ? -1 : 1));
	for (const file of files) {
		const lightest = shares.reduce((best, share) => (share.seconds < best.seconds ? share : best));
		lightest.seconds += seconds(file);
		lightest.files.push(file);
	}
	return new Map(
		shares.map(({ entry, files, seconds }) => [entry, { files: files.sort(), seconds }]),
	);
}

/** Runs inside Jest: what a bundle entry calls, with its own path. */
function load(entry) {
	const { files } = bundles().get(entry) ?? {};
	if (!files) throw new Error(`${entry} is not a bundle entry (test/bundles/unit-<n>.bundle.cjs)`);
	// A file that does not load fails its own `loads` test; the bundle's other files still run.
	const unreported = new Map();
	for (const file of files) {
		describe(relative(file), () => {
			// Its hooks run around the file's own: the first beforeAll, the last afterAll of its block.
			const restore = guard(relative(file));
			try {
				require(file);
			} catch (error) {
				unreported.set(relative(file), error);
				it('loads', () => {
					unreported.delete(relative(file));
					throw error;
				});
			}
			afterAll(restore);
		});
	}
	// Still unreported after the run: `-t` left the `loads` test out; a file that did not load fails anyway.
	afterAll(() => {
		for (const [name, error] of unreported) throw new Error(`${name} did not load: ${error}`);
	});
}

/** What one file may leave to the files after it in the same registry: the check to run after it. */
function guard(name) {
	let env;
	let globals;
	beforeAll(() => {
		env = { ...process.env };
		globals = new Set(Object.keys(globalThis));
	});
	return () => {
		jest.useRealTimers();
		jest.restoreAllMocks();
		const changed = [...new Set([...Object.keys(env), ...Object.keys(process.env)])].filter(
			(key) => env[key] !== process.env[key],
		);
		const added = Object.keys(globalThis).filter((key) => !globals.has(key));
		for (const key of changed) {
			if (env[key] === undefined) delete process.env[key];
			else process.env[key] = env[key];
		}
		for (const key of added) delete globalThis[key];
		if (changed.length || added.length)
			throw new Error(
				`${name} left process.env (${changed.join(', ') || 'unchanged'}) or globals (${added.join(', ') || 'none'}) changed: the files after it in its bundle would see that. Restore them in the file.`,
			);
	};
}

/** SECONDS as a run measured them (each file's tests, from `npx jest --json`), for files of 2 s or more. */
function measuredSeconds(results) {
	const seconds = {};
	for (const result of results.testResults)
		for (const test of result.assertionResults) {
			const file = ENTRY.test(path.basename(result.name))
				? test.ancestorTitles[0]
				: relative(result.name);
			seconds[file] = (seconds[file] ?? 0) + (test.duration ?? 0) / 1000;
		}
	return Object.fromEntries(
		Object.entries(seconds)
			.filter(([file, value]) => value >= 2 && !file.startsWith('test/volume/'))
			.sort((a, b) => b[1] - a[1])
			.map(([file, value]) => [file, Math.round(value * 10) / 10]),
	);
}

if (require.main === module) {
	const results = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
	console.log(measuredSeconds(results));
}

module.exports = { bundleEntries, bundles, load, unitTestFiles };
