/** A tiny reporter for the app-level suites: named checks, then the "N passed, N failed" line CI reads. */
export function reporter() {
	let passed = 0;
	let failed = 0;
	const only = process.env.E2E_ONLY;
	return {
		async check(name: string, body: () => Promise<void>): Promise<void> {
			if (only && !name.includes(only)) return;
			const started = Date.now();
			try {
				await body();
				passed += 1;
				console.log(`  ✓ ${name} (${Math.round((Date.now() - started) / 1000)} s)`);
			} catch (error) {
				failed += 1;
				console.log(
					`  ✗ ${name}\n${String((error as Error)?.stack ?? error).replace(/^/gm, '      ')}`,
				);
			}
		},
		fail(name: string, error: unknown): void {
			failed += 1;
			console.log(
				`  ✗ ${name}\n${String((error as Error)?.stack ?? error).replace(/^/gm, '      ')}`,
			);
		},
		finish(): never {
			console.log(`\n${passed} passed, ${failed} failed`);
			process.exit(failed ? 1 : 0);
		},
	};
}
