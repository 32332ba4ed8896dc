import { sleep } from 'n8n-workflow';

/**
 * One cool-down per node run, shared by every request of that run: when the API answers 429, every
 * request waits out the same pause instead of each retrying on its own.
 */
export class CoolDown {
	private static readonly byContext = new WeakMap<object, CoolDown>();

	private pausedUntil = 0;

	static of(context: object): CoolDown {
		let coolDown = CoolDown.byContext.get(context);
		if (!coolDown) {
			coolDown = new CoolDown();
			CoolDown.byContext.set(context, coolDown);
		}
		return coolDown;
	}

	/** Waits until no pause is in force. */
	async wait(): Promise<void> {
		for (let remaining = this.pausedUntil - Date.now(); remaining > 0; remaining = this.pausedUntil - Date.now()) {
			await sleep(remaining);
		}
	}

	/** The API throttled: pause every request of this run for `delayMs`. */
	throttled(delayMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + delayMs);
	}
}
