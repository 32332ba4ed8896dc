import { X509Certificate } from 'node:crypto';

import { clientLeafProblem } from './clientCertificate';
import { certificateBlocks } from './pem';
import { oneLine } from './x509';

/**
 * What a change of active certificates does to traffic, worked out locally: for each client certificate
 * and each project, whether its requests are accepted before, during and after the change. A request in
 * a project is accepted when nothing is active for the organization or that project, or when its client
 * certificate chains (issuer, signature, validity, CA constraints, through the intermediates the client
 * sends) to a certificate active for either. Pure: the clock is an argument.
 */

/** A client as it presents itself in the TLS handshake: its certificate, then its intermediates. */
export interface ClientChain {
	/** How messages and the table name it: subject and the start of its SHA-256 fingerprint. */
	label: string;
	leaf: X509Certificate;
	intermediates: X509Certificate[];
}

/** A certificate of the organization as a trust anchor: every certificate in its content. */
export interface TrustAnchor {
	id: string;
	name: string;
	certificates: X509Certificate[];
}

/** Where certificates are active before a change: the organization, and each project by ID. */
export interface ActiveSets {
	organization: string[];
	projects: Record<string, string[]>;
}

/** One activate or deactivate call, as the change would send it. */
export interface TrustStep {
	action: 'activate' | 'deactivate';
	place: { scope: 'organization' } | { scope: 'project'; projectId: string };
	certificateIds: string[];
}

export type Verdict = { accepted: true; via?: string } | { accepted: false; reason: string };

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const MAX_CHAIN_LENGTH = 10;

export function clientLabel(certificate: X509Certificate): string {
	return `${oneLine(certificate.subject)} (SHA-256 ${certificate.fingerprint256.slice(0, 11)})`;
}

/**
 * Client chains from PEM text: a new client starts at each certificate that is not a CA (and at the
 * first one); the CA certificates after it are the intermediates it sends. Unparseable blocks are named.
 */
export function clientChainsFromPem(text: string): { clients: ClientChain[]; unparseable: number } {
	const clients: ClientChain[] = [];
	let unparseable = 0;
	for (const block of certificateBlocks(text)) {
		let certificate: X509Certificate;
		try {
			certificate = new X509Certificate(block.text);
		} catch {
			unparseable += 1;
			continue;
		}
		const current = clients[clients.length - 1];
		if (current && certificate.ca) current.intermediates.push(certificate);
		else clients.push({ label: clientLabel(certificate), leaf: certificate, intermediates: [] });
	}
	return { clients, unparseable };
}

/**
 * The trust anchor of a certificate's PEM content: its first certificate (Mutual TLS guide: of a PEM holding
 * several, only the first is used); none when that does not parse.
 */
export function anchorCertificates(content: string): X509Certificate[] {
	const [first] = certificateBlocks(content);
	try {
		return first ? [new X509Certificate(first.text)] : [];
	} catch {
		return [];
	}
}

function validityProblem(certificate: X509Certificate, nowSeconds: number): string | undefined {
	const name = `"${oneLine(certificate.subject)}"`;
	if (Date.parse(certificate.validTo) / 1000 < nowSeconds) return `${name} has expired`;
	if (Date.parse(certificate.validFrom) / 1000 > nowSeconds) return `${name} is not yet valid`;
	return undefined;
}

function issued(child: X509Certificate, issuer: X509Certificate): boolean {
	return child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

function extendedKeyUsage(certificate: X509Certificate): string[] | undefined {
	const modern = (certificate as unknown as { extKeyUsage?: string[] }).extKeyUsage;
	return modern ?? certificate.keyUsage;
}

/** Whether the client's chain reaches one of the anchor's certificates, checked as a TLS server does. */
export function chainsTo(client: ClientChain, anchor: TrustAnchor, nowSeconds: number): Verdict {
	if (anchor.certificates.length === 0)
		return { accepted: false, reason: `${anchor.id}'s content is not a parseable certificate` };
	const usage = extendedKeyUsage(client.leaf);
	if (usage && !usage.includes(CLIENT_AUTH) && !usage.includes(ANY_EXTENDED_KEY_USAGE))
		return { accepted: false, reason: 'the client certificate is not for client authentication' };
	const leafProblem = clientLeafProblem(client.leaf);
	if (leafProblem) return { accepted: false, reason: leafProblem };
	let current = client.leaf;
	const used = new Set<X509Certificate>();
	for (let depth = 0; depth < MAX_CHAIN_LENGTH; depth++) {
		const expired = validityProblem(current, nowSeconds);
		if (expired) return { accepted: false, reason: expired };
		if (anchor.certificates.some((trusted) => trusted.fingerprint256 === current.fingerprint256))
			return { accepted: true, via: anchor.id };
		const trusted = anchor.certificates.find((candidate) => issued(current, candidate));
		if (trusted) {
			if (!trusted.ca) return { accepted: false, reason: `${anchor.id} is not a CA` };
			const problem = validityProblem(trusted, nowSeconds);
			return problem ? { accepted: false, reason: problem } : { accepted: true, via: anchor.id };
		}
		const next = client.intermediates.find(
			(candidate) => !used.has(candidate) && candidate.ca && issued(current, candidate),
		);
		if (!next) {
			const issuer = `"${oneLine(current.issuer)}"`;
			return { accepted: false, reason: `its issuer ${issuer} is not ${anchor.id} nor sent` };
		}
		used.add(next);
		current = next;
	}
	return { accepted: false, reason: 'its chain is too long' };
}

/** The certificates active for a project's requests: the organization's and the project's. */
export function activeFor(state: ActiveSets, projectId: string): string[] {
	return [...new Set([...state.organization, ...(state.projects[projectId] ?? [])])];
}

export function applyStep(state: ActiveSets, step: TrustStep): ActiveSets {
	const change = (ids: string[]) =>
		step.action === 'activate'
			? [...new Set([...ids, ...step.certificateIds])]
			: ids.filter((id) => !step.certificateIds.includes(id));
	if (step.place.scope === 'organization')
		return { ...state, organization: change(state.organization) };
	const { projectId } = step.place;
	return {
		...state,
		projects: { ...state.projects, [projectId]: change(state.projects[projectId] ?? []) },
	};
}

/** Whether the step makes mTLS enforced for the whole organization where nothing was active there. */
export function turnsOnOrganizationEnforcement(state: ActiveSets, step: TrustStep): boolean {
	return (
		step.action === 'activate' &&
		step.place.scope === 'organization' &&
		state.organization.length === 0
	);
}

/** Accepted in a project with these active certificates: nothing enforced, or a chain to one of them. */
export function acceptance(activeIds: string[], verdictOf: (anchorId: string) => Verdict): Verdict {
	if (activeIds.length === 0) return { accepted: true };
	const verdicts = activeIds.map((id) => verdictOf(id));
	const accepted = verdicts.find((verdict) => verdict.accepted);
	if (accepted) return accepted;
	const reasons = verdicts.map((verdict) => (verdict.accepted ? '' : verdict.reason));
	return { accepted: false, reason: `chains to no active certificate (${reasons.join('; ')})` };
}
