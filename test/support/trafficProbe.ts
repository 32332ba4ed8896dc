import type { FakeAdminApi, LoggedRequest } from '../../sandbox/server';
import type { ProbeClient } from './mtlsProbe';
import { probeMtlsHost } from './mtlsProbe';

/**
 * What a change of active certificates does to traffic, measured: at every state of the organization
 * (before the first Admin API write, between writes, after the last), clients of the old CA, of the new CA
 * and one without a client certificate each send `GET /v1/models` through the sandbox's mTLS host in every
 * project watched. Probing happens in the fake's `onRequest` hook, which holds each write until the probes
 * are answered: no timer, the same moments every run.
 *
 * A scope is a project's requests (the mTLS host scopes by key); a project with no certificate of its own
 * shows the organization's scope. A scope-moment with neither the old nor the new client accepted is a
 * moment of downtime for the workloads being rotated; one where a request without a client certificate gets
 * through while mTLS was enforced there before is a moment without enforcement.
 */

export interface TrafficClients {
	old: ProbeClient;
	new: ProbeClient;
}

export interface ScopeMoment {
	/** The state probed: "before the first write", "after POST /certificates/activate", "after the run". */
	moment: string;
	projectId: string;
	old: boolean;
	new: boolean;
	withoutCertificate: boolean;
}

export interface TrafficSummary {
	probes: number;
	moments: number;
	scopeMoments: number;
	/** Scope-moments where neither the old nor the new CA's client was accepted. */
	neither: ScopeMoment[];
	/** Scope-moments, in scopes enforced at the first moment, where a request without a certificate got through. */
	unenforced: ScopeMoment[];
}

const writeName = (request: LoggedRequest) =>
	`${request.method} ${request.path.replace('/v1/organization', '')}`;

export function watchTraffic(api: FakeAdminApi, projectIds: string[], clients: TrafficClients) {
	const observed: ScopeMoment[] = [];
	const momentNames: string[] = [];
	let probes = 0;
	let lastWrite: string | undefined;

	async function probeAll(moment: string): Promise<void> {
		momentNames.push(moment);
		const probe = async (projectId: string, client: ProbeClient) => {
			probes += 1;
			return (await probeMtlsHost(api.mtls, projectId, client)).accepted;
		};
		const rows = await Promise.all(
			projectIds.map(async (projectId) => {
				const [old, fresh, withoutCertificate] = await Promise.all([
					probe(projectId, clients.old),
					probe(projectId, clients.new),
					probe(projectId, {}),
				]);
				return { moment, projectId, old, new: fresh, withoutCertificate };
			}),
		);
		observed.push(...rows);
	}

	const previous = api.onRequest;
	api.onRequest = async (request) => {
		await previous?.(request);
		if (request.method === 'GET') return;
		await probeAll(lastWrite === undefined ? 'before the first write' : `after ${lastWrite}`);
		lastWrite = writeName(request);
	};

	return {
		observed,
		/** Probes the state the last write left (call it when the change is over), and stops watching. */
		async finish(): Promise<TrafficSummary> {
			api.onRequest = previous;
			await probeAll(lastWrite === undefined ? 'no write' : `after ${lastWrite} (the last)`);
			const enforcedAtFirst = new Set(
				observed
					.filter((row) => row.moment === momentNames[0] && !row.withoutCertificate)
					.map((row) => row.projectId),
			);
			return {
				probes,
				moments: momentNames.length,
				scopeMoments: observed.length,
				neither: observed.filter((row) => !row.old && !row.new),
				unenforced: observed.filter(
					(row) => row.withoutCertificate && enforcedAtFirst.has(row.projectId),
				),
			};
		},
	};
}

/** The state of the last moment probed, by project. */
export function lastMoment(observed: ScopeMoment[]): Record<string, ScopeMoment> {
	const last = observed[observed.length - 1]?.moment;
	return Object.fromEntries(
		observed.filter((row) => row.moment === last).map((row) => [row.projectId, row]),
	);
}

/**
 * The order Rotate exists to avoid, done by hand with plain HTTP calls to the fake (no node involved):
 * upload the new certificate, deactivate the old one everywhere it is active, then activate the new one
 * there. Returns the new certificate's ID.
 */
export async function naiveRotation(
	api: FakeAdminApi,
	oldId: string,
	newPem: string,
): Promise<string> {
	const call = async (method: string, path: string, body?: unknown) => {
		const response = await fetch(`${api.baseUrl}/organization${path}`, {
			method,
			headers: { Authorization: `Bearer ${api.apiKey}`, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const json = (await response.json()) as { id?: string };
		if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}`);
		return json;
	};
	const places = api.organization.whereActive(oldId);
	const toggle = (place: string, action: string, id: string) =>
		call(
			'POST',
			place === 'organization'
				? `/certificates/${action}`
				: `/projects/${place}/certificates/${action}`,
			{ certificate_ids: [id] },
		);
	const { id: newId } = await call('POST', '/certificates', {
		certificate: newPem,
		name: 'naive rotation',
	});
	for (const place of places) await toggle(place, 'deactivate', oldId);
	for (const place of places) await toggle(place, 'activate', newId!);
	return newId!;
}
