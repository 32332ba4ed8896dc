/**
 * Case 9: a large organization (BENCH_PROJECTS projects, default 1000) at real-world latency
 * (BENCH_ORG_LATENCY ms per request, default 100), through n8n-core against the fake Admin API: a
 * cleanup of 10 certificates (Delete with Deactivate Everywhere First), a Rotate of a CA active in the
 * organization and 300 projects, and Get Many with Active In = Anywhere; then the same under a
 * token-bucket limit with Retry-After (BENCH_ORG_RATE requests/minute, a comma-separated list, default
 * 600 and 3000, each in the same run; burst 10). Each reports requests
 * sent ÷ the shared-read minimum and time ÷ (minimum requests ÷ in-flight × latency), or ÷ (minimum
 * requests ÷ rate) where the limit is the tighter bound.
 */
import type { IDataObject } from 'n8n-workflow';

import { IN_FLIGHT } from '../nodes/OpenAiCertificates/api/activationView';
import { RateGovernor } from '../nodes/OpenAiCertificates/transport/governor';
import type { FakeAdminApi } from '../sandbox/server';
import { makeCertificate } from '../sandbox/certificates';
import { startFakeAdminApi } from '../sandbox/server';
import { runNode } from '../test/harness/runWorkflow';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const LATENCY = Number(process.env.BENCH_ORG_LATENCY ?? 100);
const RATES = (process.env.BENCH_ORG_RATE ?? '600,3000').split(',').map(Number);
const CLEANUP = 10;
const ROTATED_PROJECTS = Math.min(300, PROJECTS);
/** BENCH_ORG_LIMITED=only runs only the rate-limited rows; BENCH_ORG_TRACE=1 prints the governor's pace over time. */
const LIMITED_ONLY = process.env.BENCH_ORG_LIMITED === 'only';
const TRACE = process.env.BENCH_ORG_TRACE === '1';

/**
 * Bench-only: what the run's governor did, read from outside through its prototype (the node's code is
 * unchanged). Each pause (a 429 that began or lengthened one) and the pace interval once a second.
 */
interface GovernorTrace {
	pauses: number;
	pausedMs: number;
	pace: string[];
}

function traceGovernor(started: number): { trace: GovernorTrace; stop: () => void } {
	const trace: GovernorTrace = { pauses: 0, pausedMs: 0, pace: [] };
	type Inside = { pausedUntil: number; intervalMs: number };
	const prototype = RateGovernor.prototype as unknown as {
		throttled: (...args: unknown[]) => void;
		beforeAttempt: (ticket?: number) => Promise<void>;
	};
	const { throttled, beforeAttempt } = prototype;
	let lastSample = -1;
	prototype.throttled = function (this: Inside, ...args: unknown[]) {
		const before = this.pausedUntil;
		const now = Date.now();
		throttled.apply(this, args);
		if (this.pausedUntil > Math.max(before, now)) {
			trace.pauses += 1;
			trace.pausedMs += this.pausedUntil - Math.max(before, now);
		}
	};
	prototype.beforeAttempt = function (this: Inside, ticket?: number) {
		const second = Math.floor((Date.now() - started) / 1000);
		if (second !== lastSample) {
			lastSample = second;
			const perMinute = this.intervalMs > 0 ? Math.round(60_000 / this.intervalMs) : 0;
			trace.pace.push(`${second}s:${perMinute || '-'}`);
		}
		return beforeAttempt.call(this, ticket);
	};
	return {
		trace,
		stop: () => {
			prototype.throttled = throttled;
			prototype.beforeAttempt = beforeAttempt;
		},
	};
}

type Row = (...cells: Array<string | number>) => void;

/** The view every multi-call operation needs: the organization's list, the project pages, each project's list. */
const view = (projects: number) => 1 + Math.ceil(projects / 100) + projects;
/**
 * A realistic admin limit without headers: third parties measured 7 to 10 Admin API requests a minute, and
 * OpenAI documents no rate-limit headers for the Admin API. Too slow for 1,000 projects: the cleanup on a
 * small organization (BENCH_HEADERLESS_PROJECTS, default 20; BENCH_HEADERLESS=0 leaves it out).
 */
const HEADERLESS = process.env.BENCH_HEADERLESS !== '0';
const HEADERLESS_PROJECTS = Number(process.env.BENCH_HEADERLESS_PROJECTS ?? 20);
const HEADERLESS_RATE = 10;

interface Case {
	name: string;
	/** Seeds the organization; returns the node's parameters, items and the minimum number of requests. */
	seed(
		api: FakeAdminApi,
		projects: number,
	): {
		parameters: Record<string, unknown>;
		items?: IDataObject[];
		minimum: number;
	};
}

const projectId = (index: number) => `proj_${String(index).padStart(4, '0')}`;

const cases: Case[] = [
	{
		name: `cleanup of ${CLEANUP} certificates (Delete, Deactivate Everywhere First, concurrency ${IN_FLIGHT})`,
		seed(api, projects) {
			const certificates = Array.from({ length: CLEANUP }, (_, index) =>
				api.organization.addCertificate({
					activeInOrganization: true,
					activeInProjects: [projectId((index * 7) % projects), projectId(projects - 1 - index)],
				}),
			);
			return {
				items: certificates.map(({ id }) => ({ id })),
				parameters: {
					resource: 'certificate',
					operation: 'delete',
					certificateId: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					options: { deactivateFirst: true, concurrency: IN_FLIGHT, maxRetries: 10 },
				},
				// The view, then 3 deactivations and the DELETE per certificate.
				minimum: view(projects) + CLEANUP * 4,
			};
		},
	},
	{
		name: `Rotate of a CA active in the organization and ${ROTATED_PROJECTS} projects (Delete Old)`,
		seed(api, projects) {
			const places = Array.from({ length: ROTATED_PROJECTS }, (_, index) =>
				projectId(Math.floor((index * projects) / ROTATED_PROJECTS)),
			);
			const old = api.organization.addCertificate({
				activeInOrganization: true,
				activeInProjects: places,
			});
			const renewed = makeCertificate({ ca: true, commonName: 'Bench CA 2027' });
			return {
				parameters: {
					resource: 'certificate',
					operation: 'rotate',
					certificateId: { __rl: true, mode: 'id', value: old.id },
					certificate: renewed.pem,
					options: { deleteOld: true, maxRetries: 10 },
				},
				// The view (the new certificate is looked up in its organization list); the old
				// certificate; the list just before the upload (what was there before it, for exactly
				// once) and the upload; 301 activations, 301 deactivations, the DELETE.
				minimum: view(projects) + 1 + 2 + 2 * (ROTATED_PROJECTS + 1) + 1,
			};
		},
	},
	{
		name: 'Get Many, Active In = Anywhere',
		seed(api, projects) {
			for (let index = 0; index < 20; index++)
				api.organization.addCertificate({
					activeInProjects: index % 2 === 0 ? [projectId((index * 40) % projects)] : [],
				});
			return {
				parameters: {
					resource: 'certificate',
					operation: 'getAll',
					returnAll: true,
					filters: { activeIn: 'anywhere' },
					options: { maxRetries: 10 },
				},
				minimum: view(projects),
			};
		},
	},
];

/** `rate`: requests a minute the fake accepts (a token bucket, burst 10, with Retry-After unless `headerless`), or none. */
async function measure(
	testCase: Case,
	rate: number | undefined,
	projects = PROJECTS,
	headerless = false,
) {
	const api = await startFakeAdminApi({
		latencyMs: LATENCY,
		// The cases activate CAs for the organization; the node's own admin access under mTLS is tested elsewhere.
		adminMtls: false,
		...(rate ? { rateLimit: { perMinute: rate, retryAfter: !headerless, burst: 10 } } : {}),
	});
	try {
		api.organization.maxCertificates = 1000;
		for (let index = 0; index < projects; index++)
			api.organization.addProject({ id: projectId(index) });
		const { parameters, items, minimum } = testCase.seed(api, projects);
		const started = performance.now();
		const traced = TRACE ? traceGovernor(Date.now()) : undefined;
		const run = await runNode({
			credentials: { apiKey: api.apiKey, baseUrl: api.baseUrl },
			continueOnFail: true,
			parameters,
			items,
		});
		const ms = performance.now() - started;
		traced?.stop();
		if (traced) {
			const { pauses, pausedMs, pace } = traced.trace;
			console.error(
				`  ${testCase.name}${rate ? `, ${rate}/min` : ''}: ${pauses} pauses, ${(pausedMs / 1000).toFixed(1)} s paused; pace/min ${pace.join(' ')}`,
			);
		}
		if (run.error) throw run.error;
		const failed = run.items.filter((item) => item.json.error !== undefined).length;
		const sent = api.log.length;
		const throttled = api.log.filter((request) => request.rateLimited).length;
		return { ms, failed, sent, throttled, minimum };
	} finally {
		await api.close();
	}
}

export async function benchLargeOrganization(row: Row): Promise<void> {
	// One unmeasured run first: n8n-core loads most of its modules on its first workflow (≈ 0.5 s).
	await measure(cases[2], undefined, 10);
	const runs: Array<{ testCase: Case; rate?: number; projects: number; headerless?: boolean }> = [];
	for (const rate of LIMITED_ONLY ? RATES : [undefined, ...RATES])
		for (const testCase of cases) runs.push({ testCase, rate, projects: PROJECTS });
	if (HEADERLESS)
		runs.push({
			testCase: cases[0],
			rate: HEADERLESS_RATE,
			projects: HEADERLESS_PROJECTS,
			headerless: true,
		});
	for (const { testCase, rate, projects, headerless } of runs) {
		const result = await measure(testCase, rate, projects, headerless);
		const byLatency = (result.minimum / IN_FLIGHT) * LATENCY;
		const byRate = rate ? (result.minimum / rate) * 60_000 : 0;
		const floor = Math.max(byLatency, byRate);
		const limit = rate ? `, ${rate}/min (burst 10${headerless ? ', no Retry-After' : ''})` : '';
		row(
			`9. ${projects} projects, ${LATENCY} ms${limit}: ${testCase.name}`,
			`${(result.ms / 1000).toFixed(1)} s, ${result.sent} requests (minimum ${result.minimum}), ${result.throttled}×429, failed ${result.failed}`,
			`requests ${(result.sent / result.minimum).toFixed(2)}× minimum; time ${(result.ms / floor).toFixed(2)}× (minimum ÷ ${IN_FLIGHT} in flight × latency${rate ? ', or ÷ rate' : ''} = ${(floor / 1000).toFixed(1)} s)`,
			'',
			'target ≤ 1.3× time, 0 failed',
		);
	}
}
