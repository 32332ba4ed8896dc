import { sleep } from 'n8n-workflow';

/**
 * One rate governor per node run, shared by every request of that run (all items, all in flight).
 *
 * - Pause: a 429 pauses every request for the Retry-After the API gave, or a backoff on the 429s in a row.
 *   A 429 during a pause was on the wire when the limit was met: no new evidence, no longer pause.
 * - Line: starts go oldest call first, so a repeat goes before calls that came after it.
 * - Cluster: when 429s cluster (a quarter of the last 20 answers; paced, 5% of all at the pace) the run
 *   paces its starts 10% below the rate the API accepted over the last 10 seconds.
 * - Trial: every slower pace is judged after 40 answers. A limit's refusals halve when the run slows;
 *   random ones (a proxy, a flaky gateway) do not: the faster pace comes back and that share of 429s
 *   counts as noise from then on.
 * - Bracket: a 429 after 20 or more accepted since the previous one (a limit drains its burst first;
 *   random refusals come sooner) brackets the limit between the rate achieved since that 429 (its pause
 *   included: at or below the limit) and the pace refused (above it); the next pace is midway (at most
 *   half as fast), so a few refusals find a limit whose 429s never cluster. Paced, only when the pace bound
 *   the run; unpaced (never the run's first 429), as a trial kept only if none of its 40 answers is refused.
 * - Bank: the pace is a rate, not a gap: idle time banks up to PACE_BURST starts, or a run slower than its
 *   pace would be refused at its own rate and each random 429 would bracket the "limit" lower still.
 * - Probe: paced, after 20 answers in a row got through it speeds up 1% per success, 0.02% once bracketed.
 * "Accepted" is every answer but a 429 (a limit counts requests). Nothing is remembered beyond the run.
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
	/** Idle time of the cycle beyond what the pace banks: the run, not the pace, held it back then. */
	private cycleIdleMs = 0;
	/** The pause the 429 that opened the cycle began, and whether a 429 opened it (not the run's start). */
	private cyclePauseMs = 0;
	private cycleAfterRefusal = false;
	private nextStart = 0;
	/** Since when the current pace (or none) applies: evidence older than that is not used. */
	private paceSince = Date.now();
	private consecutiveThrottles = 0;
	/** The last answers under the current pace: true for a 429. */
	private recentAnswers: boolean[] = [];
	/** Every answer, and every 429, since the current pace began. */
	private answersAtPace = 0;
	private throttlesAtPace = 0;
	/**
	 * A slower pace on trial: the pace before it with the answers and 429s counted at it (restored if
	 * the trial fails: a later trial is judged against all of them, not the last few), and the share of
	 * 429s at which it is kept.
	 */
	private trial:
		| { fasterMs: number; answers: number; throttles: number; keptAtMost: number }
		| undefined;
	/** A share of 429s that slowing down did not reduce: refusals at random, not a limit. */
	private noiseShare = 0;
	/** Times of the accepted requests of the last RATE_WINDOW_MS under the current pace. */
	private recentAccepted: number[] = [];

	/** Requests waiting for their start, oldest call first; `pumping` while one loop lets them go. */
	private waiting: Array<{ ticket: number; go: () => void }> = [];
	private pumping = false;
	private tickets = 0;

	static of(context: object): RateGovernor {
		let governor = RateGovernor.byContext.get(context);
		if (!governor) {
			governor = new RateGovernor();
			RateGovernor.byContext.set(context, governor);
		}
		return governor;
	}

	/** A call's place in line: taken once, before its first attempt, and kept by its repeats. */
	ticket(): number {
		return this.tickets++;
	}

	/**
	 * Waits for any pause in force and for this request's slot in the pace. Starts go oldest call first
	 * (`ticket`): a repeat goes before calls that came after it, so while the limit is being learnt no call
	 * loses every race for the allowance a pause refilled until Max Retries runs out.
	 */
	async beforeAttempt(ticket = this.ticket()): Promise<void> {
		const now = Date.now();
		this.cycleStarts += 1;
		if (this.nextStart > now && this.nextStart >= this.pausedUntil) this.cyclePacedStarts += 1;
		await new Promise<void>((go) => {
			const at = this.waiting.findIndex((other) => other.ticket > ticket);
			this.waiting.splice(at === -1 ? this.waiting.length : at, 0, { ticket, go });
			if (!this.pumping) void this.pump();
		});
	}

	/** Lets the waiting requests go, one slot each, in line. */
	private async pump(): Promise<void> {
		this.pumping = true;
		while (this.waiting.length > 0) {
			const now = Date.now();
			const wait = Math.max(this.pausedUntil, this.nextStart) - now;
			if (wait > 0) {
				await sleep(wait);
				continue;
			}
			const banked = this.intervalMs * RateGovernor.PACE_BURST;
			if (this.intervalMs > 0 && now - banked > this.nextStart)
				this.cycleIdleMs += now - banked - this.nextStart;
			this.nextStart = Math.max(now - banked, this.nextStart) + this.intervalMs;
			this.waiting.shift()!.go();
		}
		this.pumping = false;
	}

	/**
	 * `counted` is false for a 429 that came during a pause: a request already on the wire when the
	 * limit was met is refused with it, and is no evidence about the pace (the one that began the pause was).
	 */
	private remember(throttled: boolean, now: number, counted = true): void {
		this.recentAnswers.push(throttled);
		if (counted) this.answersAtPace += 1;
		if (throttled && counted) this.throttlesAtPace += 1;
		if (this.trial && this.answersAtPace >= 2 * RateGovernor.HISTORY) this.judgeTrial(now);
		if (this.recentAnswers.length > RateGovernor.HISTORY) this.recentAnswers.shift();
		while (
			this.recentAccepted.length &&
			this.recentAccepted[0] <= now - RateGovernor.RATE_WINDOW_MS
		) {
			this.recentAccepted.shift();
		}
	}

	/**
	 * A slower pace that did not bring the share of 429s down (to half, or to none for a pace learnt
	 * unpaced) did not help: the refusals come whatever the pace. Back to the faster pace and the evidence
	 * gathered at it; that share is noise from now on.
	 */
	private judgeTrial(now: number): void {
		const { fasterMs, answers, throttles, keptAtMost } = this.trial!;
		this.trial = undefined;
		const shareNow = this.throttlesAtPace / this.answersAtPace;
		if (shareNow <= keptAtMost) return;
		// Refusals that the slower pace did not halve are noise; halved but not gone (a pace learnt unpaced,
		// still a little above a limit), they are the limit's: they must not make later limits look like noise.
		if (shareNow > throttles / Math.max(1, answers) / 2)
			this.noiseShare = Math.max(this.noiseShare, shareNow);
		this.pace(fasterMs, now);
		this.answersAtPace = answers;
		this.throttlesAtPace = throttles;
		// Back to no pace: no limit is known.
		if (fasterMs === 0) this.bracketed = false;
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
		this.answersAtPace = 0;
		this.throttlesAtPace = 0;
		this.trial = undefined;
	}

	succeeded(): void {
		const now = Date.now();
		this.accepted(now);
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
		// A 429 for a request that was already on the wire when a pause began says nothing new:
		// it neither escalates the backoff nor extends the pause (unless the API asks for longer).
		const duringPause = now < this.pausedUntil;
		this.remember(true, now, !duringPause);
		if (!duringPause) this.consecutiveThrottles += 1;
		const pause = requestedMs ?? (duringPause ? 0 : backoff(this.consecutiveThrottles - 1));
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		this.nextStart = Math.max(this.nextStart, this.pausedUntil);
		if (!duringPause && this.bracket(now)) return;
		this.cluster(now);
	}

	/**
	 * A counted 429 ends a cycle. One after a clean run (HISTORY accepted at least: a limit drains its
	 * allowance first, random refusals come sooner) brackets the limit: what the cycle achieved, the
	 * pause that opened it included, is at or below it, and the pace refused is above it. Whether it did.
	 */
	private bracket(now: number): boolean {
		// Time the run itself idled (a timeout, a slow answer at concurrency 1) says nothing about the limit.
		const cycleMs = Math.max(1, now - this.cycleStart - this.cycleIdleMs);
		const activeMs = Math.max(1, cycleMs - this.cyclePauseMs);
		const { cycleAccepted, cycleAfterRefusal } = this;
		// The pace bound the run when most requests waited for their slot; a run slower than its pace
		// (one worker, slow answers) was refused at its own rate, not the pace's: no bracket then.
		const paceBound = this.cyclePacedStarts * 2 >= this.cycleStarts;
		this.cycleStart = now;
		this.cycleAccepted = 0;
		this.cycleStarts = 0;
		this.cyclePacedStarts = 0;
		this.cycleIdleMs = 0;
		this.cyclePauseMs = Math.max(0, this.pausedUntil - now);
		this.cycleAfterRefusal = true;
		if (cycleAccepted < RateGovernor.HISTORY) return false;
		// The refused request counts as sent: a run refused once in n requests at its pace achieved that
		// pace (a random refusal brackets nothing), and a limit is still found to within 1/n.
		const sent = cycleAccepted + 1;
		if (this.intervalMs === 0) {
			return cycleAfterRefusal && this.learn(sent / cycleMs, sent / activeMs, now);
		}
		if (!paceBound) return false;
		this.bracketed = true;
		const midwayMs = 2 / (sent / cycleMs + 1 / this.intervalMs);
		// A refusal never speeds the run up, and halves its pace at most.
		// A bracket adjusts the pace in place: the evidence gathered at it (and a trial under way) stays.
		this.intervalMs = Math.max(this.intervalMs, Math.min(midwayMs, 2 * this.intervalMs));
		return true;
	}

	/**
	 * Unpaced, a cycle opened by a 429 began with the allowance spent: what it achieved, its pause
	 * included, is at or below the limit, and what it achieved after the pause (the allowance the pause
	 * refilled, then the limit's own rate) at or above it. A pace midway, on trial: kept only if nothing
	 * at it is refused.
	 */
	private learn(atOrBelowPerMs: number, atOrAbovePerMs: number, now: number): boolean {
		const share = this.throttlesAtPace / Math.max(1, this.answersAtPace);
		// Refusals a trial showed to be noise come at about their share whatever the pace.
		if (this.trial || share < 2 * this.noiseShare) return false;
		this.bracketed = true;
		this.slowDown(2 / (atOrBelowPerMs + atOrAbovePerMs), 0, now);
		return true;
	}

	/** A slower pace on trial, kept if the share of 429s at it is at most `keptAtMost`. */
	private slowDown(intervalMs: number, keptAtMost: number, now: number): void {
		const { intervalMs: fasterMs, answersAtPace: answers, throttlesAtPace: throttles } = this;
		const trial = { fasterMs, answers, throttles, keptAtMost };
		this.pace(intervalMs, now);
		this.trial = trial;
	}

	/**
	 * When refusals cluster, a slower pace on trial: 10% under the rate accepted lately. Unpaced, a
	 * cluster is a quarter of the last 20 answers; paced, a fifth of that share over every answer at
	 * this pace (20 at least), or twice the share a trial showed to be noise.
	 */
	private cluster(now: number): void {
		const paced = this.intervalMs > 0;
		const [throttles, answers] = paced
			? [this.throttlesAtPace, this.answersAtPace]
			: [this.recentAnswers.filter(Boolean).length, this.recentAnswers.length];
		const threshold = paced
			? Math.max(RateGovernor.CLUSTER_SHARE / 5, 2 * this.noiseShare)
			: RateGovernor.CLUSTER_SHARE;
		const enough = paced ? RateGovernor.HISTORY : RateGovernor.HISTORY / 2;
		// A slower pace on trial is judged before any other.
		if (this.trial || answers < enough || throttles / answers < threshold) return;
		const observedMs = Math.min(RateGovernor.RATE_WINDOW_MS, now - this.paceSince);
		if (this.recentAccepted.length === 0 || observedMs < 1000) return;
		const sustainedMs = (observedMs / this.recentAccepted.length) * RateGovernor.MARGIN;
		// The trial is judged against the share over everything at the faster pace, not the cluster that
		// prompted it: a run of 20 answers can hold a quarter of 429s by chance.
		const share =
			this.answersAtPace >= RateGovernor.HISTORY
				? this.throttlesAtPace / this.answersAtPace
				: throttles / answers;
		this.slowDown(Math.max(this.intervalMs, sustainedMs), share / 2, now);
	}
}
