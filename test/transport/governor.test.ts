import { RateGovernor } from '../../nodes/OpenAiCertificates/transport/governor';
import { backoffDelayMs } from '../../nodes/OpenAiCertificates/transport/retry';

/**
 * transport/governor.ts on a virtual mockClock: Date.now reads it and n8n-workflow's sleep advances it, so a
 * run of thousands of requests takes no real time and every figure is exact. One worker (concurrency 1),
 * which is where a governor that mistakes random refusals for a limit hurts most; and several workers on
 * a virtual timeline (`timeline`: each sleep waits its turn, the clock jumps to the earliest).
 */
let mockClock = 0;
let timeline: Array<{ at: number; order: number; wake: () => void }> | undefined;
let order = 0;
function virtualSleep(ms: number): Promise<void> {
	if (!timeline) {
		mockClock += Math.max(0, ms);
		return Promise.resolve();
	}
	const sleepers = timeline;
	return new Promise((wake) =>
		sleepers.push({ at: mockClock + Math.max(0, ms), order: order++, wake }),
	);
}
jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: (ms: number) => virtualSleep(ms),
}));

/** Runs `workers` at once on the virtual timeline until all are done. */
async function concurrently(workers: Array<() => Promise<void>>): Promise<void> {
	const sleepers: NonNullable<typeof timeline> = [];
	timeline = sleepers;
	let finished = false;
	const all = Promise.all(workers.map((worker) => worker())).finally(() => (finished = true));
	try {
		while (!finished) {
			// Everything that can run without time passing runs first.
			await new Promise((resolve) => setImmediate(resolve));
			if (finished) break;
			sleepers.sort((a, b) => a.at - b.at || a.order - b.order);
			const next = sleepers.shift();
			if (!next) throw new Error('every worker waits and no time is due');
			mockClock = Math.max(mockClock, next.at);
			next.wake();
		}
		await all;
	} finally {
		timeline = undefined;
	}
}

/**
 * A token bucket as the sandbox's rate limit (`perSecond`, holding `burst`), asked when a request arrives;
 * `noise` refuses that share of requests at random besides.
 */
function tokenBucket(perSecond: number, burst: number, noise?: () => boolean) {
	let tokens = burst;
	let refilledAt = mockClock;
	return (now: number): Answer => {
		tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * perSecond);
		refilledAt = now;
		if (tokens < 1 || noise?.()) return '429';
		tokens -= 1;
		return 'ok';
	};
}

/**
 * `requests` requests sent by `workers` at once through one governor, each answered `latencyMs` after it
 * starts; a 429 carries Retry-After `retryAfterMs` (as the fake's rate limit does), as request.ts handles it.
 */
async function runConcurrently(options: {
	requests: number;
	workers: number;
	/** Milliseconds to each answer; a function for answers that take different times. */
	latencyMs: number | (() => number);
	/** Undefined: the 429 names no pause, and the backoff of the default Retry Delay (1 s) applies. */
	retryAfterMs: number | undefined;
	answer: (now: number) => Answer;
}) {
	const governor = new RateGovernor();
	const answers: Array<{ at: number; answer: Answer }> = [];
	let left = options.requests;
	let mostAttempts = 0;
	const start = mockClock;
	const worker = async () => {
		while (left > 0) {
			left -= 1;
			const ticket = governor.ticket();
			for (let attempt = 1; ; attempt++) {
				mostAttempts = Math.max(mostAttempts, attempt);
				await governor.beforeAttempt(ticket);
				const { latencyMs } = options;
				await virtualSleep(typeof latencyMs === 'number' ? latencyMs : latencyMs());
				const result = options.answer(mockClock);
				answers.push({ at: mockClock, answer: result });
				if (result === 'ok') {
					governor.succeeded();
					break;
				}
				governor.throttled(options.retryAfterMs, (consecutive) =>
					backoffDelayMs(consecutive, 0.5, 1000),
				);
			}
		}
	};
	await concurrently(Array.from({ length: options.workers }, () => worker));
	return {
		ms: mockClock - start,
		answers,
		refused: answers.filter((each) => each.answer === '429'),
		mostAttempts,
	};
}

type Answer = 'ok' | '429' | 'error';

/** A seeded generator, so each run sees the same faults. */
function seeded(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		return state / 2_147_483_648;
	};
}

/**
 * Sends `requests` requests one after another through a governor, each taking `latencyMs`, repeating
 * each until the server (`answer`, asked at the time the request arrives) accepts it, as request.ts does.
 */
async function run(requests: number, latencyMs: number, answer: (now: number) => Answer) {
	const governor = new RateGovernor();
	const answers: Array<{ at: number; answer: Answer }> = [];
	const start = mockClock;
	for (let index = 0; index < requests; index++) {
		for (let attempt = 0; ; attempt++) {
			await governor.beforeAttempt();
			mockClock += latencyMs;
			const result = answer(mockClock);
			answers.push({ at: mockClock, answer: result });
			if (result === 'ok') {
				governor.succeeded();
				break;
			}
			if (result === '429') {
				governor.throttled(undefined, (consecutive) => backoffDelayMs(consecutive, 0.5, 5));
			} else {
				governor.accepted();
				mockClock += backoffDelayMs(attempt, 0.5, 5);
			}
		}
	}
	return { ms: mockClock - start, answers };
}

describe('Rate governor', () => {
	beforeEach(() => {
		mockClock = 1_000_000;
		jest.spyOn(Date, 'now').mockImplementation(() => mockClock);
	});
	afterEach(() => jest.restoreAllMocks());

	it('a 429 pauses the next start for the time the API asked', async () => {
		const governor = new RateGovernor();
		governor.throttled(1500, () => 0);
		const before = mockClock;
		await governor.beforeAttempt();
		expect(mockClock - before).toBe(1500);
	});

	it('without a requested time it backs off on the 429s in a row; one already on the wire adds nothing', async () => {
		const governor = new RateGovernor();
		const backoff = (consecutive: number) => 100 * 2 ** consecutive;
		governor.throttled(undefined, backoff);
		// A second 429 during that pause (a request sent before it began) neither escalates nor extends it.
		governor.throttled(undefined, backoff);
		let before = mockClock;
		await governor.beforeAttempt();
		expect(mockClock - before).toBe(100);
		governor.throttled(undefined, backoff);
		before = mockClock;
		await governor.beforeAttempt();
		expect(mockClock - before).toBe(200);
		governor.succeeded();
		governor.throttled(undefined, backoff);
		before = mockClock;
		await governor.beforeAttempt();
		expect(mockClock - before).toBe(100);
	});

	it('random refusals (9% 429s among 30% faults) cost their pauses, not an ever slower pace', async () => {
		const random = seeded(7);
		const answer = (): Answer => {
			const roll = random();
			return roll < 0.086 ? '429' : roll < 0.3 ? 'error' : 'ok';
		};
		const { ms, answers } = await run(3000, 20, answer);
		// Unpaced, each answer takes its 20 ms plus a few ms of backoff or pause.
		const unpacedMs = answers.length * 20 * 1.25;
		expect(ms).toBeLessThan(unpacedMs * 1.5);
		// And the last third goes as fast as the first: the pace did not drift.
		const third = Math.floor(answers.length / 3);
		const span = (part: typeof answers) => part[part.length - 1].at - part[0].at;
		expect(span(answers.slice(-third))).toBeLessThan(span(answers.slice(0, third)) * 1.3);
	});

	it('under a real limit (10 a second, burst 5) it learns the rate: refusals become rare', async () => {
		// A token bucket as the sandbox's rate limit.
		let tokens = 5;
		let refilledAt = mockClock;
		const answer = (now: number): Answer => {
			tokens = Math.min(5, tokens + ((now - refilledAt) / 1000) * 10);
			refilledAt = now;
			if (tokens < 1) return '429';
			tokens -= 1;
			return 'ok';
		};
		const { ms, answers } = await run(600, 20, answer);
		const third = Math.floor(answers.length / 3);
		const refused = (part: typeof answers) => part.filter((each) => each.answer === '429').length;
		expect(refused(answers.slice(-third))).toBeLessThan(
			Math.max(1, refused(answers.slice(0, third)) / 4),
		);
		// At no more than the limit, and not far under it.
		const rate = 600 / (ms / 1000);
		expect(rate).toBeLessThanOrEqual(10.5);
		expect(rate).toBeGreaterThan(7);
	});

	it('8 in flight against a limit whose 429s never cluster (50/s, burst 10, Retry-After 1 s): learns it after its second 429', async () => {
		// Unpaced, 8 requests in flight at 100 ms reach 80/s: each cycle spends the burst, meets a 429 and
		// waits a second for it; three 429s in thirty answers, never a quarter of the last 20.
		const { ms, refused } = await runConcurrently({
			requests: 1000,
			workers: 8,
			latencyMs: 100,
			retryAfterMs: 1000,
			answer: tokenBucket(50, 10),
		});
		// Before: 150 refusals and 65 s (3.2x the limit's 20 s), never paced.
		expect(refused.length).toBeLessThan(20);
		expect(ms).toBeLessThan(1.25 * 20_000);
		// And never faster than the limit allows (its burst aside).
		expect(1000 / (ms / 1000)).toBeLessThanOrEqual(50.5);
	});

	it('a limit met with a full allowance (50/s, burst 25) is learnt from the cycles after a 429, not from the first', async () => {
		// The run's first cycle began with the burst unspent: what it achieved is no bound on the limit.
		const { ms, refused } = await runConcurrently({
			requests: 1000,
			workers: 8,
			latencyMs: 100,
			retryAfterMs: 1000,
			answer: tokenBucket(50, 25),
		});
		// Learnt from the first cycle: 42 refusals and 27.9 s.
		expect(refused.length).toBeLessThan(20);
		expect(ms).toBeLessThan(1.2 * 20_000);
	});

	it('the same at 10/s (its 429s cluster: the pace comes from the rate accepted lately) stays at the limit', async () => {
		const { ms, refused } = await runConcurrently({
			requests: 600,
			workers: 8,
			latencyMs: 100,
			retryAfterMs: 1000,
			answer: tokenBucket(10, 10),
		});
		expect(ms).toBeLessThan(1.05 * 60_000);
		expect(refused.length).toBeLessThan(30);
	});

	it('a 429 during a pause (it was on the wire) is no evidence: a paced run is refused no more for it', async () => {
		const governor = new RateGovernor();
		// Unpaced: a cycle opened by a 429, a clean run of 30, then a 429 and seven more in flight.
		governor.throttled(1000, () => 0);
		mockClock += 1000;
		for (let index = 0; index < 30; index++) {
			await governor.beforeAttempt();
			mockClock += 10;
			governor.succeeded();
		}
		governor.throttled(1000, () => 0);
		for (let index = 0; index < 7; index++) governor.throttled(1000, () => 0);
		// The pace learnt from that cycle: midway between 31 in 1.3 s and 31 in 0.3 s, one per 15.7 ms.
		mockClock += 1000;
		await governor.beforeAttempt();
		const before = mockClock;
		for (let index = 0; index < 10; index++) await governor.beforeAttempt();
		const gapMs = (mockClock - before) / 10;
		expect(gapMs).toBeGreaterThan(14);
		expect(gapMs).toBeLessThan(20);
		// 40 answers at that pace without a refusal keep it: the seven in flight did not count against it.
		for (let index = 0; index < 40; index++) governor.succeeded();
		const kept = mockClock;
		for (let index = 0; index < 10; index++) await governor.beforeAttempt();
		expect(mockClock - kept).toBeGreaterThan(10 * 14);
	});

	it('a pace learnt unpaced from random refusals is given up when its trial is refused too', async () => {
		const governor = new RateGovernor();
		const cleanRun = async (count: number) => {
			for (let index = 0; index < count; index++) {
				await governor.beforeAttempt();
				mockClock += 10;
				governor.succeeded();
			}
		};
		governor.throttled(1000, () => 0);
		mockClock += 1000;
		await cleanRun(30);
		governor.throttled(1000, () => 0);
		mockClock += 1000;
		// Paced now (on trial): one refusal among its 40 answers ends the trial.
		await cleanRun(20);
		governor.throttled(1000, () => 0);
		mockClock += 1000;
		await cleanRun(25);
		// Back to no pace: ten starts take no time.
		const unpaced = mockClock;
		for (let index = 0; index < 10; index++) await governor.beforeAttempt();
		expect(mockClock).toBe(unpaced);
	});

	it('8 in flight with 9% random 429s (Retry-After 1 s, no limit): no slower than without the unpaced bracket', async () => {
		const random = seeded(11);
		const { ms, refused } = await runConcurrently({
			requests: 1000,
			workers: 8,
			latencyMs: 100,
			retryAfterMs: 1000,
			answer: () => (random() < 0.09 ? '429' : 'ok'),
		});
		// Each refusal costs its second of pause (about 100 of them); the run's own time is 12.5 s.
		expect(refused.length).toBeGreaterThan(80);
		expect(ms).toBeLessThan(12_500 + refused.length * 1000 * 1.1);
	});

	it('a realistic admin limit without Retry-After (10 a minute, burst 10), 8 in flight: within 1.3x the time the limit allows', async () => {
		// Third parties measured 7 to 10 Admin API requests a minute; OpenAI documents no headers for it. The
		// cleanup of bench case 9 on a 20-project organization: 62 requests.
		const { ms, answers } = await runConcurrently({
			requests: 62,
			workers: 8,
			latencyMs: 100,
			retryAfterMs: undefined,
			answer: tokenBucket(10 / 60, 10),
		});
		const floorMs = (62 / 10) * 60_000;
		expect(ms).toBeLessThan(1.3 * floorMs);
		// Never faster than the limit allows (its burst aside): the requests it accepted took that long at least.
		expect(ms).toBeGreaterThanOrEqual(((62 - 10) / 10) * 60_000);
		expect(answers.filter((each) => each.answer === 'ok')).toHaveLength(62);
	});

	it('a refused request goes before requests not sent yet: none meets 429 after 429 while the limit is learnt', async () => {
		// 4 in flight against 10 a second (burst 5) without Retry-After: the start of the run races for each
		// allowance a pause refills. Were fresh requests let in first, one request could lose every race.
		const random = seeded(3);
		const { mostAttempts, refused } = await runConcurrently({
			requests: 120,
			workers: 4,
			latencyMs: () => 2 + 60 * random(),
			retryAfterMs: undefined,
			answer: tokenBucket(10, 5),
		});
		expect(refused.length).toBeGreaterThan(3);
		expect(mostAttempts).toBeLessThanOrEqual(4);
	});
});
