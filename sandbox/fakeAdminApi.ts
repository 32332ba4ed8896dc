/**
 * The fake Admin API's public shapes: its options, the handle a test or the bench gets back, and the
 * request log with the faults it can inject. Here, apart from server.ts, so the stages of the server
 * (faults, rate limit, access, routes, audit log) can share them without importing the server.
 */
import type { MtlsHost } from './mtlsHost';
import type { Organization } from './organization';

export type FaultKind =
	| '429'
	| '429-retry-after'
	| '429-retry-after-date'
	| '429-retry-after-ms'
	| '500'
	| '502'
	| '503'
	| '504'
	| 'drop'
	| 'slow'
	| 'html'
	| 'empty'
	| 'text'
	| 'error';

export interface Fault {
	kind: FaultKind;
	/** Only requests this matches get the fault (default: any). */
	match?: (request: LoggedRequest) => boolean;
	/** Retry-After seconds for the 429-retry-after kinds (default 1). */
	retryAfterSeconds?: number;
	/** For '429-retry-after-ms': the retry-after-ms header OpenAI also sends (default 20). */
	retryAfterMs?: number;
	/** Status for html/empty/text bodies (default 502). */
	status?: number;
	/** For 'slow': how long to hold the answer, in ms (default 5000). */
	delayMs?: number;
	/** For 'error': the OpenAI error message sent with `status`. */
	message?: string;
}

export interface LoggedRequest {
	method: string;
	path: string;
	query: Record<string, string | string[]>;
	body: unknown;
	authorization: string | undefined;
	/** When it arrived (ms) and the status it got (undefined for a dropped connection). */
	at: number;
	status?: number;
	fault?: FaultKind;
	/** Refused by the configured rate limit (not an injected fault). */
	rateLimited?: boolean;
	/** Whether it came through the mTLS host, and the subject of the client certificate it presented. */
	overMtls?: boolean;
	clientSubject?: string;
	/** The spec operation answered, for schema checks. */
	operationId?: string;
	/** The spec schema the answer follows when it is not the operation's own (the older toggle shape). */
	schema?: string;
	response?: unknown;
}

export interface FakeAdminApiOptions {
	apiKey?: string;
	port?: number;
	host?: string;
	/** Added before each answer, in ms. */
	latencyMs?: number;
	/**
	 * A token bucket refilled at `perMinute` requests per minute holding at most `burst` (default: a
	 * minute's worth, i.e. a sliding-minute limit); beyond it, 429 with or without Retry-After.
	 */
	rateLimit?: { perMinute: number; retryAfter: boolean; burst?: number };
	/** Answer activate/deactivate with the older paged-list shape. */
	legacyToggleShape?: boolean;
	organization?: Organization;
	/** Port of the mTLS API host started beside it (default: any free port). */
	mtlsPort?: number;
	/** The mTLS host's server certificate and key (npm start keeps one across starts). */
	mtlsIdentity?: { cert: string; key: string };
	/**
	 * Whether Admin API requests need a client certificate while a certificate is active for the
	 * organization, as OpenAI's help centre says (default true). Off only for tests about something else.
	 */
	adminMtls?: boolean;
}

export interface FakeAdminApi {
	/** e.g. http://127.0.0.1:12345/v1 — what the credential's Base URL is set to. */
	baseUrl: string;
	apiKey: string;
	organization: Organization;
	log: LoggedRequest[];
	/** Faults consumed in order by the requests they match. */
	faults: Fault[];
	/**
	 * Called as each request arrives (logged, body read), before faults and routes: how a test makes
	 * something happen at that moment, such as another run deleting a certificate. A promise it returns is
	 * awaited before the request goes on (traffic probes hold the state still while they run).
	 */
	onRequest: ((request: LoggedRequest) => void | Promise<void>) | undefined;
	/** Injects a fault (a kind, or a kind with its settings) into a share of matching requests, chosen by a seeded generator. */
	setFaultRate(
		rate: number,
		kinds: Array<FaultKind | Fault>,
		seed?: number,
		match?: (request: LoggedRequest) => boolean,
	): void;
	/** The most requests that were being answered at the same time. */
	readonly maxInFlight: number;
	options: FakeAdminApiOptions;
	/** The mTLS API host over the same organization: what activation does to traffic. */
	mtls: MtlsHost;
	close(): Promise<void>;
}
