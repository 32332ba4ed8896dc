/**
 * Jest's Node environment, quiet while tests pass: what a test (or n8n-core's logger inside it) prints
 * to the console is held back and printed only if that test, or a hook around it, fails.
 */
const { TestEnvironment } = require('jest-environment-node');

const METHODS = ['log', 'info', 'warn', 'error', 'debug'];

class QuietEnvironment extends TestEnvironment {
	held = [];
	printed = {};

	/** Called by jest-circus; the test's console exists from `setup` on. */
	async handleTestEvent(event) {
		if (event.name === 'setup') this.holdConsole();
		if (event.name === 'test_start') this.held = [];
		if (event.name === 'test_done' && event.test.errors.length > 0) this.printHeld();
		if (event.name === 'hook_failure') this.printHeld();
		if (event.name === 'test_done' || event.name === 'run_finish') this.held = [];
	}

	holdConsole() {
		const console = this.global.console;
		for (const method of METHODS) {
			this.printed[method] = console[method].bind(console);
			console[method] = (...args) => this.held.push([method, args]);
		}
		// Loggers such as winston write to the console's streams directly; jest's console writes there too.
		this.streams = { _stdout: console._stdout, _stderr: console._stderr };
		this.holders = {};
		for (const [stream, method] of [
			['_stdout', 'log'],
			['_stderr', 'error'],
		]) {
			const write = (chunk) => this.held.push([method, [String(chunk).replace(/\n$/, '')]]) > 0;
			this.holders[stream] = { write };
		}
		this.setStreams(this.holders);
	}

	setStreams(streams) {
		for (const [stream, value] of Object.entries(streams))
			Object.defineProperty(this.global.console, stream, {
				value,
				configurable: true,
				writable: true,
			});
	}

	printHeld() {
		const held = this.held;
		this.held = [];
		this.setStreams(this.streams);
		for (const [method, args] of held) this.printed[method](...args);
		this.setStreams(this.holders);
	}
}

module.exports = QuietEnvironment;
