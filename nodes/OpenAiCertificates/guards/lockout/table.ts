import type { IDataObject } from 'n8n-workflow';

import { clientLeafWarnings } from '../../helpers/clientCertificate';
import type { ActiveSets, ClientChain, TrustAnchor, TrustStep, Verdict } from '../../helpers/trust';
import { acceptance, activeFor, applyStep, chainsTo } from '../../helpers/trust';

/**
 * The lockout table of a planned change: for each client certificate and each affected project, whether
 * it is accepted now, after every step of the change, and at the end. A client is locked out when it
 * is accepted now and refused at any moment of the change. Pure.
 */

export interface LockoutRow extends IDataObject {
	client: string;
	project: string;
	acceptedNow: boolean;
	acceptedAfter: boolean;
	lockedOut: boolean;
	/** Why, in words: "accepted: chains to cert_x", "accepted: nothing active", "refused: ...". */
	now: string;
	after: string;
	/** The first step after which it is refused, and why (only when locked out). */
	refusedAfterStep?: string;
	refusedBecause?: string;
	/** What the help centre asks of a client certificate beyond the Mutual TLS guide (clientCertificate.ts). */
	warnings?: string[];
}

export interface LockoutInput {
	clients: ClientChain[];
	/** Every certificate active in an affected project before the change or activated by it. */
	anchors: Map<string, TrustAnchor>;
	before: ActiveSets;
	steps: TrustStep[];
	/** The projects whose requests the change affects. */
	projects: string[];
	nowSeconds: number;
}

export function describeStep(step: TrustStep): string {
	const where =
		step.place.scope === 'organization' ? 'the organization' : `project ${step.place.projectId}`;
	return `${step.action} ${step.certificateIds.join(', ')} in ${where}`;
}

function explain(verdict: Verdict, anchors: Map<string, TrustAnchor>): string {
	if (!verdict.accepted) return `refused: ${verdict.reason}`;
	if (verdict.via === undefined) return 'accepted: nothing active, no client certificate needed';
	const name = anchors.get(verdict.via)?.name;
	return `accepted: chains to ${verdict.via}${name ? ` (${name})` : ''}`;
}

function verdictCache(input: LockoutInput) {
	const cache = new Map<string, Verdict>();
	return (client: ClientChain, anchorId: string): Verdict => {
		const key = `${input.clients.indexOf(client)}:${anchorId}`;
		let verdict = cache.get(key);
		if (!verdict) {
			const anchor = input.anchors.get(anchorId);
			verdict = anchor
				? chainsTo(client, anchor, input.nowSeconds)
				: { accepted: false, reason: `the content of ${anchorId} could not be read` };
			cache.set(key, verdict);
		}
		return verdict;
	};
}

export function lockoutTable(input: LockoutInput): LockoutRow[] {
	const verdictOf = verdictCache(input);
	const states = [input.before];
	for (const step of input.steps) states.push(applyStep(states[states.length - 1], step));
	const rows: LockoutRow[] = [];
	for (const client of input.clients) {
		for (const project of input.projects) {
			const verdicts = states.map((state) =>
				acceptance(activeFor(state, project), (anchorId) => verdictOf(client, anchorId)),
			);
			const first = verdicts[0];
			const last = verdicts[verdicts.length - 1];
			const refusedAt = verdicts.findIndex((verdict) => !verdict.accepted);
			const lockedOut = first.accepted && refusedAt !== -1;
			const row: LockoutRow = {
				client: client.label,
				project,
				acceptedNow: first.accepted,
				acceptedAfter: last.accepted,
				lockedOut,
				now: explain(first, input.anchors),
				after: explain(last, input.anchors),
			};
			if (lockedOut) {
				row.refusedAfterStep = describeStep(input.steps[refusedAt - 1]);
				row.refusedBecause = explain(verdicts[refusedAt], input.anchors);
			}
			const warnings = clientLeafWarnings(client.leaf);
			if (warnings.length) row.warnings = warnings;
			rows.push(row);
		}
	}
	return rows;
}

/** The message naming each locked-out client, where, and why. */
export function lockoutSummary(rows: LockoutRow[]): string {
	return rows
		.filter((row) => row.lockedOut)
		.map(
			(row) =>
				`${row.client} in project ${row.project}: now ${row.now}; after "${row.refusedAfterStep}" ${row.refusedBecause}`,
		)
		.join('. ');
}
