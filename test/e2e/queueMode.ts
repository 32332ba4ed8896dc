/**
 * n8n queue mode: Redis and PostgreSQL from Debian's packages started here on 127.0.0.1, one main process
 * and two workers (`EXECUTIONS_MODE=queue`), each with the packed package installed in its own user folder.
 * The shipped cleanup workflow is called 20 times at once through its webhook; the shipped alert workflow's
 * trigger runs in the main process while its executions run on the workers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

import type { FakeAdminApi } from '../../sandbox/server';
import { seedAdminAccess } from '../../sandbox/seed';
import { startFakeAdminApi } from '../../sandbox/server';
import type { N8nApp } from '../../sandbox/n8nApp';
import { freePort, prepareApp } from '../../sandbox/n8nApp';
import { appInstalled } from '../../sandbox/appInstall';
import type { Service } from './services';
import { startPostgres, startRedis } from './services';
import { startRunning } from './runningApp';
import {
	alertWorkflow,
	callWebhook,
	CLEANUP_WEBHOOK,
	cleanupWorkflow,
	importInto,
	startCollector,
	waitForTwoPolls,
} from './workflows';

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const RUNS = 20;

type Check = (name: string, body: () => Promise<void>) => Promise<void>;

export async function queueModeSuite(
	version: string,
	check: Check,
	fail: (name: string, error: unknown) => void,
) {
	console.log(`\n[e2e] n8n ${version} in queue mode (Redis, PostgreSQL, one main, two workers)`);
	const services: Service[] = [];
	let app: N8nApp | undefined;
	let api: FakeAdminApi | undefined;
	let collector: import('node:http').Server | undefined;
	try {
		const redis = await startRedis();
		services.push(redis);
		const postgres = await startPostgres();
		services.push(postgres);
		const sql = (query: string) =>
			execFileSync(
				'psql',
				[
					'-h',
					'127.0.0.1',
					'-p',
					String(postgres.port),
					'-U',
					postgres.user,
					'-d',
					postgres.database,
					'-Atc',
					query,
				],
				{ encoding: 'utf8' },
			).trim();

		await appInstalled(version);
		app = prepareApp(version, {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			N8N_LOG_LEVEL: 'info',
		});
		// Some latency, as a real API has, so the concurrent runs overlap and race over the same certificates.
		api = await startFakeAdminApi({ latencyMs: 25 });
		const organization = api.organization;
		// The organization enforces mTLS, Admin API requests included: the credential presents the admin client.
		Object.assign(api, { adminClient: seedAdminAccess(organization) });
		for (const id of ['proj_web', 'proj_batch', 'proj_ops']) organization.addProject({ id });

		// Twelve expired certificates active in various places, four healthy ones, one expiring in 3 days.
		const projects = ['proj_web', 'proj_batch', 'proj_ops'];
		const expired = Array.from({ length: 12 }, (_, index) =>
			organization.addCertificate({
				name: `Expired CA ${index}`,
				expires_at: now() - (index + 1) * DAY,
				activeInOrganization: index % 2 === 0,
				activeInProjects: projects.filter((_, project) => (index + project) % 3 === 0),
			}),
		);
		const healthy = Array.from({ length: 4 }, (_, index) =>
			organization.addCertificate({
				name: `Healthy CA ${index}`,
				expires_at: now() + (200 + index) * DAY,
				activeInOrganization: index < 2,
				activeInProjects: index % 2 === 0 ? ['proj_web'] : [],
			}),
		);
		const soon = organization.addCertificate({ name: 'Soon CA', expires_at: now() + 3 * DAY });
		// Every expired certificate this suite creates (the first check puts them back under new IDs): the trigger
		// may poll while any of them exists, and an expired certificate counts as expiring.
		const expiredIds = new Set(expired.map((certificate) => certificate.id));
		const healthyBefore = healthy.map((certificate) => organization.whereActive(certificate.id));

		const imports = await importInto(app, api);
		const observer = await startCollector();
		collector = observer.server;
		const cleanupId = await imports.stage('cleanup', cleanupWorkflow(), { activate: true });
		await imports.stage('alert', alertWorkflow(observer.url), { activate: true });
		await imports.flush();

		// Every process gets its own task-broker port: n8n 2.x starts a broker in the main and in each worker.
		const running = await startRunning(app, { N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
		await imports.activateIn(running);
		const workers: Array<{ output(): string }> = [];
		for (const name of ['worker-1', 'worker-2']) {
			workers.push(
				await app.worker(name, {
					N8N_RUNNERS_BROKER_PORT: String(await freePort()),
					QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
				}),
			);
		}

		await check(
			`queue mode: ${RUNS} cleanup runs at once through the webhook all succeed, and the organization ends right`,
			async () => {
				const base = running.base;
				// The first call waits until the main process has registered the webhook; then all twenty at once.
				const first = await callWebhook(base, CLEANUP_WEBHOOK);
				const firstBody = await first.text();
				assert.equal(
					first.status,
					200,
					`${firstBody}\n--- n8n printed:\n${app!.output().slice(-4000)}`,
				);
				for (const certificate of expired)
					assert.equal(
						organization.certificates.has(certificate.id),
						false,
						`${certificate.id} survived the first run`,
					);
				// Put the expired certificates back (new IDs, same activations) so the concurrent runs race over them.
				const again = expired.map((certificate, index) =>
					organization.addCertificate({
						name: `${certificate.name} (again)`,
						expires_at: now() - (index + 1) * DAY,
						activeInOrganization: index % 2 === 0,
						activeInProjects: projects.filter((_, project) => (index + project) % 3 === 0),
					}),
				);
				for (const certificate of again) expiredIds.add(certificate.id);
				const deletesBefore = api!.log.length;

				const responses = await Promise.all(
					Array.from({ length: RUNS }, () =>
						fetch(`${base}/${CLEANUP_WEBHOOK}`, { method: 'POST' }),
					),
				);
				const bodies = await Promise.all(responses.map((response) => response.text()));
				responses.forEach((response, index) =>
					assert.equal(response.status, 200, `run ${index}: ${bodies[index]}`),
				);
				let alreadyDeleted = 0;
				for (const body of bodies) {
					const items = JSON.parse(body) as Array<Record<string, unknown>>;
					for (const item of items)
						assert.equal(item.object, 'certificate.deleted', JSON.stringify(item));
					alreadyDeleted += items.filter((item) => item.alreadyDeleted === true).length;
				}

				// The organization: every expired certificate gone, each deleted by exactly one successful DELETE;
				// the healthy ones and the expiring one untouched.
				for (const certificate of again)
					assert.equal(
						organization.certificates.has(certificate.id),
						false,
						`${certificate.id} survived`,
					);
				const successfulDeletes = api!.log
					.slice(deletesBefore)
					.filter((request) => request.method === 'DELETE' && request.status === 200)
					.map((request) => request.path.split('/').pop());
				assert.deepEqual(
					[...successfulDeletes].sort(),
					again.map((certificate) => certificate.id).sort(),
				);
				assert.deepEqual(
					healthy.map((certificate) => organization.whereActive(certificate.id)),
					healthyBefore,
				);
				assert.equal(organization.certificates.has(soon.id), true);

				// n8n's own record: 21 webhook executions of the cleanup workflow, all successful, run by both workers.
				const statuses = sql(
					`SELECT status FROM execution_entity WHERE "workflowId" = '${cleanupId}' AND mode = 'webhook'`,
				).split('\n');
				assert.equal(statuses.length, RUNS + 1, statuses.join(','));
				assert.deepEqual([...new Set(statuses)], ['success'], statuses.join(','));
				const ranOn = workers.map(
					(worker) => (worker.output().match(/started execution/gi) ?? []).length,
				);
				assert.ok(
					ranOn.every((count) => count > 0),
					`executions per worker: ${ranOn.join(', ')}`,
				);
				console.log(
					`    [n8n ${version}] ${RUNS} runs: ${successfulDeletes.length} certificates deleted once each, ${alreadyDeleted} found already deleted by another run; executions per worker ${ranOn.join(' and ')}`,
				);
			},
		);

		await check(
			'queue mode: the activated trigger (polling in the main process) fires once for the expiring certificate with two workers',
			async () => {
				const alerts = observer.received;
				assert.ok(await waitForTwoPolls(api!, alerts), 'the trigger polled only once');
				// Expired certificates count as expiring too (the first poll may come before the cleanup run).
				const alerted = alerts.map((item) => item.certificateId as string);
				assert.deepEqual(
					alerted.filter((id) => id === soon.id),
					[soon.id],
					JSON.stringify(alerts),
				);
				assert.equal(
					new Set(alerted).size,
					alerted.length,
					`a certificate alerted twice: ${JSON.stringify(alerts)}`,
				);
				assert.ok(
					alerted.every((id) => id === soon.id || expiredIds.has(id)),
					JSON.stringify(alerts),
				);
			},
		);
	} catch (error) {
		fail(`setting up n8n ${version} in queue mode`, error);
	} finally {
		await app?.stopAll();
		collector?.close();
		await api?.close();
		for (const service of services.reverse()) await service.stop();
	}
}
