/**
 * The node's own admin access. OpenAI's help centre ("OpenAI Mutual TLS Beta Program", FAQ "Who can access
 * and modify certificates?"): once mTLS is activated at the organization level, certificates are enforced
 * on Admin API requests as well; only the platform dashboard is exempt. So a change of what is active for
 * the organization can cut the node off from the Admin API: the credential's client certificate (or, with
 * none, the organization having nothing active) must be accepted before, during and after the change. The
 * admin client counts like a client to keep working, in the organization's scope only.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { ActivationView } from '../../api/activationView';
import { describeStep } from '../lockout/table';
import { anchorOf } from '../trustState';
import type { ActiveSets, ClientChain, TrustAnchor, TrustStep, Verdict } from '../../helpers/trust';
import { acceptance, applyStep, chainsTo, clientChainsFromPem } from '../../helpers/trust';
import type { RequestSettings } from '../../transport';
import { ADMIN_BASE_URL_RULE, credentialBaseUrl } from '../../../../credentials/shared/baseUrl';
import { CREDENTIAL_TYPE } from '../../../../credentials/shared/connection';

export interface AdminAccess {
	/** Whether the credential's admin client is accepted now, and why (in words). */
	acceptedNow: boolean;
	now: string;
	/** The index (in the steps given) after which it would be refused, and why; absent when never. */
	refusedAfter?: number;
	refusedAfterStep?: string;
	refusedBecause?: string;
}

/** The fix every refusal and pause names. */
export const ADMIN_ACCESS_FIX =
	'Put a client certificate issued by a CA that stays active for the organization (for a rotation: the new CA) into the OpenAI Admin API credential (Client Certificate and Private Key, with an mTLS host as Host), then run again. If the node is locked out already, the OpenAI dashboard still works without a client certificate.';

/**
 * The client certificate an Admin API credential presents (public part only; its key is never read here).
 * None on OpenAI's standard host: only the mTLS hosts (or a custom Base URL, such as a proxy) ask for one.
 */
export function presentedClientChain(
	credentials: Record<string, unknown>,
): ClientChain | undefined {
	const base = credentialBaseUrl(credentials);
	if ('url' in base && base.url === ADMIN_BASE_URL_RULE.defaultUrl) return undefined;
	const pem =
		typeof credentials.clientCertificate === 'string' ? credentials.clientCertificate : '';
	return clientChainsFromPem(pem).clients[0];
}

async function adminClient(context: IExecuteFunctions): Promise<ClientChain | undefined> {
	return presentedClientChain(await context.getCredentials(CREDENTIAL_TYPE));
}

/**
 * Whether changes at the organization level must be checked one item at a time: the credential presents a
 * client certificate, so the check of one item depends on what the items before it deactivated.
 */
export async function adminClientPresented(context: IExecuteFunctions): Promise<boolean> {
	return (await adminClient(context)) !== undefined;
}

/** What is active for the organization before the steps and after each of them (trust.ts's applyStep). */
function organizationStates(before: string[], steps: TrustStep[]): string[][] {
	const states: ActiveSets[] = [{ organization: before, projects: {} }];
	for (const step of steps) states.push(applyStep(states[states.length - 1], step));
	return states.map((state) => state.organization);
}

/**
 * Accepted with these certificates active for the organization: nothing active, or the client chains to
 * one of them. Contents are read only as far as needed (known and already read ones first), once each.
 */
async function verdictIn(
	active: string[],
	client: ClientChain | undefined,
	anchorOf: (id: string) => Promise<TrustAnchor>,
	isRead: (id: string) => boolean,
): Promise<Verdict> {
	if (active.length === 0) return { accepted: true };
	if (!client) return { accepted: false, reason: 'the credential has no client certificate' };
	const nowSeconds = Math.floor(Date.now() / 1000);
	const ordered = [...active].sort((a, b) => Number(isRead(b)) - Number(isRead(a)));
	const verdicts = new Map<string, Verdict>();
	for (const id of ordered) {
		const verdict = chainsTo(client, await anchorOf(id), nowSeconds);
		if (verdict.accepted) return verdict;
		verdicts.set(id, verdict);
	}
	return acceptance(active, (id) => verdicts.get(id)!);
}

function explain(verdict: Verdict): string {
	if (!verdict.accepted) return `refused: ${verdict.reason}`;
	if (verdict.via === undefined) return 'accepted: nothing is active for the organization';
	return `accepted: the credential's client certificate chains to ${verdict.via}`;
}

/**
 * The admin client's acceptance through the steps, or undefined when no step touches the organization.
 * `known` are anchors not uploaded yet (Rotate's new certificate). Reads come from the execution's view.
 */
export async function adminAccessThrough(
	context: IExecuteFunctions,
	steps: TrustStep[],
	known: TrustAnchor[],
	settings: RequestSettings,
): Promise<AdminAccess | undefined> {
	if (!steps.some((step) => step.place.scope === 'organization')) return undefined;
	const client = await adminClient(context);
	// Without a client certificate only an activation for the organization can cut the node off.
	const activates = steps.some(
		(step) => step.place.scope === 'organization' && step.action === 'activate',
	);
	if (!client && !activates) return undefined;
	const view = ActivationView.of(context);
	const before = await view.organizationActive(settings);
	const states = organizationStates([...before], steps);
	const anchors = new Map(known.map((anchor) => [anchor.id, Promise.resolve(anchor)]));
	const anchorById = (id: string) => {
		let anchor = anchors.get(id);
		if (!anchor) {
			anchor = view.stored(id, settings).then(anchorOf);
			anchors.set(id, anchor);
		}
		return anchor;
	};
	const verdicts: Verdict[] = [];
	for (const active of states)
		verdicts.push(await verdictIn(active, client, anchorById, (id) => anchors.has(id)));
	const access: AdminAccess = { acceptedNow: verdicts[0].accepted, now: explain(verdicts[0]) };
	const refusedAt = verdicts.findIndex((verdict) => !verdict.accepted);
	if (verdicts[0].accepted && refusedAt > 0) {
		access.refusedAfter = refusedAt - 1;
		access.refusedAfterStep = describeStep(steps[refusedAt - 1]);
		access.refusedBecause = explain(verdicts[refusedAt]);
	}
	return access;
}

/** The sentence that says the node would lose its admin access, and where. */
export function adminLockoutText(access: AdminAccess): string {
	return `after "${access.refusedAfterStep}" OpenAI would refuse this node's own Admin API requests (a certificate active for the organization makes it require a client certificate on admin requests too; ${access.refusedBecause})`;
}
