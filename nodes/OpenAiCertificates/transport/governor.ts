import { sleep } from 'n8n-workflow';

/**
 * One rate governor per node run, shared by every request of that run (all items, all in flight).
 *
 * - Every 429 pauses all requests of the run for the cool-down: the Retry-After the API gave, or an
 *   exponential backoff on the number of 429s in a row (reset by a success), instead of each request
 *   retrying on its own.
 * - When 429s cluster (a quarter or more of the last 20 answers) the run has met a real limit: it then
 *   paces request starts 10% below the rate the API accepted requests over the last 10 seconds. An isolated
 *   429 (a hiccup, not a limit) costs only its pause. Once paced, only answers to requests sent at the
 *   current pace count as evidence for a slower one.
 * - A 429 while paced, after at least 20 accepted requests since the previous one (a limit drains a burst
 *   allowance first; random refusals come sooner), brackets the limit: the refused pace is above it
 *   and the rate achieved since the previous 429 (pause included) at or below it. The next pace is
 *   midway between the two (never under half the refused pace), so a few refusals bring it to the limit
 *   rather than creeping: each refusal costs a whole pause, often a second or more. This holds only
 *   when the pace bound the run (most requests waited for their slot): a run slower than its pace was
 *   refused at its own rate, and random refusals would otherwise walk the pace down without end.
 * - The pace is a rate, not a minimum gap: time the run spends idle (a timeout, a backoff, one worker
 *   waiting for a slow answer) is banked for up to PACE_BURST request starts. Otherwise a run slower than
 *   its pace would always achieve less than it, and each random 429 would bracket the "limit" lower still
 *   (a run with 30% random faults at concurrency 1 slowed to one request per 300 ms that way).
 * - While paced it probes for more once 20 answers in a row got through: 1% faster per success until
 *   the limit is bracketed, then 0.02% (the limit is known to be near).
 * "Accepted" is every answer but a 429 (errors, timeouts and dropped connections included): a limit
 * counts requests, and a run whose requests also fail otherwise must not mistake those for a limit.
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
	/** Request starts that idle time can bank while paced. */
	static readonly PACE_BURST = 4;

	/** Successes of the whole run so far. */
	successes = 0;

	private pausedUntil = 0;
	private intervalMs = 0;
	/** Whether a paced request was refused after a clean run: the limit is then known to be near. */
	private bracketed = false;
	/** Since the last counted 429: when it came, and the requests accepted after it. */
	private cycleStart = Date.now();
	private cycleAccepted = 0;
	/** Request starts since the last counted 429, and how many of them waited for their slot in the pace. */
	private cycleStarts = 0;
	private cyclePacedStarts = 0;
	private nextStart = 0;
	/** Since when the current pace (or none) applies: evidence older than that is not used. */
	private paceSince = Date.now();
	private consecutiveThrottles = 0;
	/** The last answers under the current pace: true for a 429. */
	private recentAnswers: boolean[] = [];
	/** Times of the accepted requests of the last RATE_WINDOW_MS under the current pace. */
	private recentAccepted: number[] = [];

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
		let first = true;
		for (;;) {
			const now = Date.now();
			const wait = Math.max(this.pausedUntil, this.nextStart) - now;
			if (first) {
				first = false;
				this.cycleStarts += 1;
				if (this.nextStart > now && this.nextStart >= this.pausedUntil) this.cyclePacedStarts += 1;
			}
			if (wait <= 0) {
				const banked = this.intervalMs * RateGovernor.PACE_BURST;
				this.nextStart = Math.max(now - banked, this.nextStart) + this.intervalMs;
				return;
			}
			await sleep(wait);
		}
	}

	private remember(throttled: boolean, now: number): void {
		this.recentAnswers.push(throttled);
		if (this.recentAnswers.length > RateGovernor.HISTORY) this.recentAnswers.shift();
		while (
			this.recentAccepted.length &&
			this.recentAccepted[0] <= now - RateGovernor.RATE_WINDOW_MS
		) {
			this.recentAccepted.shift();
		}
	}

	/** The API accepted the request but answered with an error (or the answer was lost or unreadable). */
	accepted(now = Date.now()): void {
		this.remember(false, now);
		this.recentAccepted.push(now);
		this.cycleAccepted += 1;
	}

	private pace(intervalMs: number, now: number): void {
		if (intervalMs === this.intervalMs) return;
		this.intervalMs = intervalMs;
		this.paceSince = now;
		this.recentAnswers = [];
		this.recentAccepted = [];
	}

	succeeded(): void {
		const now = Date.now();
		this.accepted(now);
		this.successes += 1;
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
			const cycleAccepted = this.cycleAccepted;
			// The pace bound the run when most requests waited for their slot; a run slower than its pace
			// (one worker, slow answers) was refused at its own rate, not the pace's: no bracket then.
			const paceBound = this.cyclePacedStarts * 2 >= this.cycleStarts;
			this.cycleStart = now;
			this.cycleAccepted = 0;
			this.cycleStarts = 0;
			this.cyclePacedStarts = 0;
			if (this.intervalMs > 0 && paceBound && cycleAccepted >= RateGovernor.HISTORY) {
				// Paced and refused after a clean run: the limit lies between the rate achieved and the pace refused.
				const achievedPerMs = cycleAccepted / Math.max(cycleMs, 1);
				this.bracketed = true;
				this.pace(Math.min(2 / (achievedPerMs + 1 / this.intervalMs), 2 * this.intervalMs), now);
				return;
			}
		}
		// When refusals cluster (a quarter of the recent answers), pace at least 10% under the rate accepted lately.
		const throttles = this.recentAnswers.filter(Boolean).length;
		const clustered =
			this.recentAnswers.length >= RateGovernor.HISTORY / 2 &&
			throttles / this.recentAnswers.length >= RateGovernor.CLUSTER_SHARE;
		const observedMs = Math.min(RateGovernor.RATE_WINDOW_MS, now - this.paceSince);
		if (clustered && this.recentAccepted.length > 0 && observedMs >= 1000) {
			const sustainedMs = (observedMs / this.recentAccepted.length) * RateGovernor.MARGIN;
			this.pace(Math.max(this.intervalMs, sustainedMs), now);
		}
	}
}
