import { RateGovernor } from '../../nodes/OpenAiCertificates/transport/governor';
import { backoffDelayMs } from '../../nodes/OpenAiCertificates/transport/retry';

/**
 * transport/governor.ts on a virtual mockClock: Date.now reads it and n8n-workflow's sleep advances it, so a
 * run of thousands of requests takes no real time and every figure is exact. One worker (concurrency 1),
 * which is where a governor that mistakes random refusals for a limit hurts most.
 */
let mockClock = 0;
jest.mock('n8n-workflow', () => ({
	...jest.requireActual('n8n-workflow'),
	sleep: async (ms: number) => {
		mockClock += Math.max(0, ms);
	},
}));

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
});
