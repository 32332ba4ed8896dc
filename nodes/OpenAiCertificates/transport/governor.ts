import { sleep } from 'n8n-workflow';

/**
 * One rate governor per node run, shared by every request of that run (all items, all in flight).
 *
 * - Every 429 pauses all requests of the run for the cool-down: the Retry-After the API gave, or an
 *   exponential backoff on the number of 429s in a row (reset by a success), instead of each request
 *   retrying on its own.
 * - When 429s cluster (a quarter or more of the last 20 answers) the run has met a real limit: it then
 *   paces request starts 10% below the rate the API sustained over the last 10 seconds. An isolated
 *   429 (a hiccup, not a limit) costs only its pause.
 * - A 429 while paced, after at least 20 successes since the previous one (a limit drains a burst
 *   allowance first; random refusals come sooner), brackets the limit: the refused pace is above it
 *   and the rate achieved since the previous 429 (pause included) at or below it. The next pace is
 *   midway between the two (never under half the refused pace), so a few refusals bring it to the limit
 *   rather than creeping: each refusal costs a whole pause, often a second or more.
 * - While paced it probes for more once 20 answers in a row got through: 1% faster per success until
 *   the limit is bracketed, then 0.02% (the limit is known to be near).
 * Nothing is remembered beyond the run.
 */
export class RateGovernor {
	private static readonly byContext = new WeakMap<object, RateGovernor>();

	/** Probing: the pace interval shrinks by these factors per success, before and after the limit is bracketed. */
	static readonly SPEED_UP = 0.99;
	static readonly SPEED_UP_BRACKETED = 0.9998;
	/** The first learnt pace stays this much below the rate the API sustained. */
	static readonly MARGIN = 1.1;
	static readonly HISTORY = 20;
	static readonly CLUSTER_SHARE = 0.25;
	static readonly RATE_WINDOW_MS = 10_000;

	/** Successes of the whole run so far. */
	successes = 0;

	private pausedUntil = 0;
	private intervalMs = 0;
	/** Whether a paced request was refused after a clean run: the limit is then known to be near. */
	private bracketed = false;
	/** Since the last counted 429: when it came, and the successes after it. */
	private cycleStart = Date.now();
	private cycleSuccesses = 0;
	private nextStart = 0;
	private startedAt = Date.now();
	private consecutiveThrottles = 0;
	/** The last answers: true for a 429. */
	private recentAnswers: boolean[] = [];
	/** Times of the successes of the last RATE_WINDOW_MS. */
	private recentSuccesses: number[] = [];

	static of(context: object): RateGovernor {
		let governor = RateGovernor.byContext.get(context);
		if (!governor) {
			governor = new RateGovernor();
			RateGovernor.byContext.set(context, governor);
		}
		return governor;
	}

	/** Waits for any pause in force and for this request's slot in the pace. */
	async beforeAttempt(): Promise<void> {
		for (;;) {
			const now = Date.now();
			const wait = Math.max(this.pausedUntil, this.nextStart) - now;
			if (wait <= 0) {
				this.nextStart = Math.max(now, this.nextStart) + this.intervalMs;
				return;
			}
			await sleep(wait);
		}
	}

	private remember(throttled: boolean, now: number): void {
		this.recentAnswers.push(throttled);
		if (this.recentAnswers.length > RateGovernor.HISTORY) this.recentAnswers.shift();
		while (
			this.recentSuccesses.length &&
			this.recentSuccesses[0] <= now - RateGovernor.RATE_WINDOW_MS
		) {
			this.recentSuccesses.shift();
		}
	}

	succeeded(): void {
		const now = Date.now();
		this.remember(false, now);
		this.successes += 1;
		this.recentSuccesses.push(now);
		this.cycleSuccesses += 1;
		this.consecutiveThrottles = 0;
		// Probe for more only while the recent answers are all successes.
		if (this.intervalMs > 0 && !this.recentAnswers.includes(true)) {
			this.intervalMs *= this.bracketed ? RateGovernor.SPEED_UP_BRACKETED : RateGovernor.SPEED_UP;
		}
	}

	/**
	 * The API throttled. `requestedMs` is the pause it asked for, if any; otherwise the backoff is
	 * `backoff(n)` for the n-th 429 in a row.
	 */
	throttled(requestedMs: number | undefined, backoff: (consecutive: number) => number): void {
		const now = Date.now();
		this.remember(true, now);
		// A 429 for a request that was already on the wire when a pause began says nothing new:
		// it neither escalates the backoff nor extends the pause (unless the API asks for longer).
		const duringPause = now < this.pausedUntil;
		if (!duringPause) this.consecutiveThrottles += 1;
		const pause = requestedMs ?? (duringPause ? 0 : backoff(this.consecutiveThrottles - 1));
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		this.nextStart = Math.max(this.nextStart, this.pausedUntil);

		if (!duringPause) {
			const cycleMs = now - this.cycleStart;
			const cycleSuccesses = this.cycleSuccesses;
			this.cycleStart = now;
			this.cycleSuccesses = 0;
			if (this.intervalMs > 0 && cycleSuccesses >= RateGovernor.HISTORY) {
				// Paced and refused after a clean run: the limit lies between the rate achieved and the pace refused.
				const achievedPerMs = cycleSuccesses / Math.max(cycleMs, 1);
				this.bracketed = true;
				this.intervalMs = Math.min(2 / (achievedPerMs + 1 / this.intervalMs), 2 * this.intervalMs);
				return;
			}
		}
		// When refusals cluster (a quarter of the recent answers), pace at least 10% under the rate sustained lately.
		const throttles = this.recentAnswers.filter(Boolean).length;
		const clustered =
			this.recentAnswers.length >= RateGovernor.HISTORY / 2 &&
			throttles / this.recentAnswers.length >= RateGovernor.CLUSTER_SHARE;
		const observedMs = Math.min(RateGovernor.RATE_WINDOW_MS, now - this.startedAt);
		if (clustered && this.recentSuccesses.length > 0 && observedMs >= 1000) {
			this.intervalMs = Math.max(
				this.intervalMs,
				(observedMs / this.recentSuccesses.length) * RateGovernor.MARGIN,
			);
		}
	}
}
