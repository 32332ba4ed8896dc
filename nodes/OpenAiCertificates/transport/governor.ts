import { sleep } from 'n8n-workflow';

/** What the run did since the last counted 429 (or since it began). */
const newCycle = (start: number, pauseMs = 0, afterRefusal = false) => ({
	start,
	accepted: 0,
	/** Request starts, and how many of them waited for their slot in the pace. */
	starts: 0,
	pacedStarts: 0,
	/** Idle time beyond what the pace banks: the run, not the pace, held it back then. */
	idleMs: 0,
	/** The pause the 429 that opened the cycle began, and whether a 429 opened it (not the run's start). */
	pauseMs,
	afterRefusal,
});

/** The evidence gathered at the current pace (or none): older evidence is not used. */
const newAtPace = (since: number) => ({
	since,
	/** The last HISTORY answers: true for a 429. */
	recent: [] as boolean[],
	/** When the requests accepted in the last RATE_WINDOW_MS were. */
	acceptedAt: [] as number[],
	/** Every counted answer, and every counted 429. */
	answers: 0,
	throttles: 0,
});

/**
 * One rate governor per node run, shared by every request of that run (all items, all in flight).
 * A 429 pauses every request (`throttled`); starts go oldest call first (`beforeAttempt`). When 429s
 * cluster (`cluster`) or come after a clean run (`bracket`), the run paces its starts, and a slower pace
 * is on trial (`judgeTrial`): a limit's refusals fall when the run slows, random ones (a proxy, a flaky
 * gateway) do not, so the faster pace comes back and that share of 429s counts as noise from then on.
 * Paced, a clean run speeds up (`succeeded`). "Accepted" is every answer but a 429 (a limit counts
 * requests). Nothing is remembered beyond the run.
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
	/**
	 * Request starts that idle time can bank while paced: the pace is a rate, not a gap, or a run slower
	 * than its pace would be refused at its own rate and each random 429 would bracket the "limit" lower.
	 */
	static readonly PACE_BURST = 4;

	private pausedUntil = 0;
	private consecutiveThrottles = 0;
	private intervalMs = 0;
	private nextStart = 0;
	/** Whether a paced request was refused after a clean run: the limit is then known to be near. */
	private bracketed = false;
	/** A share of 429s that slowing down did not reduce: refusals at random, not a limit. */
	private noiseShare = 0;
	/**
	 * A slower pace on trial: the pace before it with the answers and 429s counted at it (restored if
	 * the trial fails: a later trial is judged against all of them, not the last few), and the share of
	 * 429s at which it is kept.
	 */
	private trial:
		| { fasterMs: number; answers: number; throttles: number; keptAtMost: number }
		| undefined;
	private cycle = newCycle(Date.now());
	private atPace = newAtPace(Date.now());

	/** Requests waiting for their start, oldest call first; `pumping` while one loop lets them go. */
	private waiting: Array<{ ticket: number; go: () => void }> = [];
	private pumping = false;
	private tickets = 0;

	static of(context: object): RateGovernor {
		let governor = RateGovernor.byContext.get(context);
		if (!governor) RateGovernor.byContext.set(context, (governor = new RateGovernor()));
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
		this.cycle.starts += 1;
		if (this.nextStart > Date.now() && this.nextStart >= this.pausedUntil)
			this.cycle.pacedStarts += 1;
		await new Promise<void>((go) => {
			const at = this.waiting.findIndex((other) => other.ticket > ticket);
			this.waiting.splice(at === -1 ? this.waiting.length : at, 0, { ticket, go });
			if (!this.pumping) void this.pump();
		});
	}

	/** Lets the waiting requests go, one slot each, in line; idle time banks up to PACE_BURST starts. */
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
				this.cycle.idleMs += now - banked - this.nextStart;
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
		this.atPace.recent.push(throttled);
		if (counted) this.atPace.answers += 1;
		if (throttled && counted) this.atPace.throttles += 1;
		if (this.trial && this.atPace.answers >= 2 * RateGovernor.HISTORY) this.judgeTrial(now);
		const { recent, acceptedAt } = this.atPace;
		if (recent.length > RateGovernor.HISTORY) recent.shift();
		while (acceptedAt.length && acceptedAt[0] <= now - RateGovernor.RATE_WINDOW_MS)
			acceptedAt.shift();
	}

	/**
	 * A slower pace is judged after 40 answers. One that did not bring the share of 429s down (to half, or
	 * to none for a pace learnt unpaced) did not help: the refusals come whatever the pace. Back to the
	 * faster pace and the evidence gathered at it; that share is noise from now on.
	 */
	private judgeTrial(now: number): void {
		const { fasterMs, answers, throttles, keptAtMost } = this.trial!;
		this.trial = undefined;
		const shareNow = this.atPace.throttles / this.atPace.answers;
		if (shareNow <= keptAtMost) return;
		// Refusals that the slower pace did not halve are noise; halved but not gone (a pace learnt unpaced,
		// still a little above a limit), they are the limit's: they must not make later limits look like noise.
		if (shareNow > throttles / Math.max(1, answers) / 2)
			this.noiseShare = Math.max(this.noiseShare, shareNow);
		this.pace(fasterMs, now);
		this.atPace.answers = answers;
		this.atPace.throttles = throttles;
		// Back to no pace: no limit is known.
		if (fasterMs === 0) this.bracketed = false;
	}

	/** The API accepted the request but answered with an error (or the answer was lost or unreadable). */
	accepted(now = Date.now()): void {
		this.remember(false, now);
		this.atPace.acceptedAt.push(now);
		this.cycle.accepted += 1;
	}

	private pace(intervalMs: number, now: number): void {
		if (intervalMs === this.intervalMs) return;
		this.intervalMs = intervalMs;
		this.atPace = newAtPace(now);
		this.trial = undefined;
	}

	/** Paced, after HISTORY answers in a row got through, it speeds up 1% per success, 0.02% once bracketed. */
	succeeded(): void {
		this.accepted(Date.now());
		this.consecutiveThrottles = 0;
		if (this.intervalMs > 0 && !this.atPace.recent.includes(true))
			this.intervalMs *= this.bracketed ? RateGovernor.SPEED_UP_BRACKETED : RateGovernor.SPEED_UP;
	}

	/**
	 * The API throttled: every request pauses for `requestedMs`, the pause it asked for, or else for
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
	 * pause that opened it included, is at or below it, and the pace refused (unpaced: what the cycle
	 * achieved after its pause, the allowance the pause refilled, then the limit's own rate) is at or
	 * above it. The next pace is midway, so a few refusals find a limit whose 429s never cluster; a pace
	 * learnt unpaced is on trial, kept only if nothing at it is refused. Whether it bracketed.
	 */
	private bracket(now: number): boolean {
		const { cycle } = this;
		// Time the run itself idled (a timeout, a slow answer at concurrency 1) says nothing about the limit.
		const cycleMs = Math.max(1, now - cycle.start - cycle.idleMs);
		const activeMs = Math.max(1, cycleMs - cycle.pauseMs);
		// The pace bound the run when most requests waited for their slot; a run slower than its pace
		// (one worker, slow answers) was refused at its own rate, not the pace's: no bracket then.
		const paceBound = cycle.pacedStarts * 2 >= cycle.starts;
		this.cycle = newCycle(now, Math.max(0, this.pausedUntil - now), true);
		if (cycle.accepted < RateGovernor.HISTORY) return false;
		// The refused request counts as sent: a run refused once in n requests at its pace achieved that
		// pace (a random refusal brackets nothing), and a limit is still found to within 1/n.
		const sent = cycle.accepted + 1;
		if (this.intervalMs === 0) {
			// Only a cycle a 429 opened began with the allowance spent. Refusals a trial showed to be noise
			// come at about their share whatever the pace.
			const share = this.atPace.throttles / Math.max(1, this.atPace.answers);
			if (!cycle.afterRefusal || this.trial || share < 2 * this.noiseShare) return false;
			this.bracketed = true;
			this.slowDown(2 / (sent / cycleMs + sent / activeMs), 0, now);
			return true;
		}
		if (!paceBound) return false;
		this.bracketed = true;
		const midwayMs = 2 / (sent / cycleMs + 1 / this.intervalMs);
		// A refusal never speeds the run up, and halves its pace at most.
		// A bracket adjusts the pace in place: the evidence gathered at it (and a trial under way) stays.
		this.intervalMs = Math.max(this.intervalMs, Math.min(midwayMs, 2 * this.intervalMs));
		return true;
	}

	/** A slower pace on trial, kept if the share of 429s at it is at most `keptAtMost`. */
	private slowDown(intervalMs: number, keptAtMost: number, now: number): void {
		const { answers, throttles } = this.atPace;
		const trial = { fasterMs: this.intervalMs, answers, throttles, keptAtMost };
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
		const { recent, acceptedAt, since } = this.atPace;
		const [throttles, answers] = paced
			? [this.atPace.throttles, this.atPace.answers]
			: [recent.filter(Boolean).length, recent.length];
		const threshold = paced
			? Math.max(RateGovernor.CLUSTER_SHARE / 5, 2 * this.noiseShare)
			: RateGovernor.CLUSTER_SHARE;
		const enough = paced ? RateGovernor.HISTORY : RateGovernor.HISTORY / 2;
		// A slower pace on trial is judged before any other.
		if (this.trial || answers < enough || throttles / answers < threshold) return;
		const observedMs = Math.min(RateGovernor.RATE_WINDOW_MS, now - since);
		if (acceptedAt.length === 0 || observedMs < 1000) return;
		const sustainedMs = (observedMs / acceptedAt.length) * RateGovernor.MARGIN;
		// The trial is judged against the share over everything at the faster pace, not the cluster that
		// prompted it: a run of 20 answers can hold a quarter of 429s by chance.
		const share =
			this.atPace.answers >= RateGovernor.HISTORY
				? this.atPace.throttles / this.atPace.answers
				: throttles / answers;
		this.slowDown(Math.max(this.intervalMs, sustainedMs), share / 2, now);
	}
}
