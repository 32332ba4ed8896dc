/**
 * Jest's own sequencer, with one change: a unit file held by a bundle that this run selected runs in that
 * bundle, not also on its own (bundles.cjs). Runs that select no bundle (a file or a folder named on the
 * command line) are left as Jest chose them.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { bundles } = require('./bundles.cjs');

class BundleSequencer extends Sequencer {
	held = bundles();

	inBundles(tests) {
		const selected = new Set(tests.map((test) => test.path));
		const bundled = new Set();
		for (const [entry, { files }] of this.held)
			if (selected.has(entry)) for (const file of files) bundled.add(file);
		return tests.filter((test) => !bundled.has(test.path));
	}

	/**
	 * A bundle Jest has not timed yet counts its files' SECONDS: else a cache that knows only small files
	 * (each well under a second) makes Jest run everything in band, one bundle after the other.
	 */
	time(test) {
		return (
			super.time(test) ??
			(this.held.has(test.path) ? this.held.get(test.path).seconds * 1000 : undefined)
		);
	}

	shard(tests, options) {
		return super.shard(this.inBundles(tests), options);
	}

	sort(tests) {
		return super.sort(this.inBundles(tests));
	}
}

module.exports = BundleSequencer;
