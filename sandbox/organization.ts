/** The in-memory state of one fake OpenAI organization: certificates, projects and where each certificate is active. */
import { X509Certificate } from 'node:crypto';

export interface StoredCertificate {
	id: string;
	name: string | null;
	created_at: number;
	valid_at: number;
	expires_at: number;
	content: string;
}

export interface StoredProject {
	id: string;
	name: string;
	created_at: number;
	archived_at: number | null;
}

export interface CertificateSeed {
	id?: string;
	name?: string | null;
	created_at?: number;
	/** Validity in Unix seconds; read from the PEM when it parses, else these (or defaults). */
	valid_at?: number;
	expires_at?: number;
	content?: string;
	activeInOrganization?: boolean;
	activeInProjects?: string[];
}

export interface ProjectSeed {
	id?: string;
	name?: string;
	created_at?: number;
	archived?: boolean;
}

export const MAX_CERTIFICATES = 50;

const DAY = 86_400;

export function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** Validity dates of a PEM certificate, or undefined when it is not a parseable X.509 certificate. */
export function pemValidity(pem: string): { valid_at: number; expires_at: number } | undefined {
	try {
		const certificate = new X509Certificate(pem);
		return {
			valid_at: Math.floor(Date.parse(certificate.validFrom) / 1000),
			expires_at: Math.floor(Date.parse(certificate.validTo) / 1000),
		};
	} catch {
		return undefined;
	}
}

export class Organization {
	readonly certificates = new Map<string, StoredCertificate>();
	readonly projects = new Map<string, StoredProject>();
	readonly activeInOrganization = new Set<string>();
	readonly activeInProject = new Map<string, Set<string>>();
	/** At most this many certificates, as the real API (50). Tests of large lists raise it. */
	maxCertificates = MAX_CERTIFICATES;
	/** Answers list validity dates rounded down to the hour (a test's choice; listing.ts listedDates). */
	roundedDates = false;
	private counter = 0;
	private clock = nowSeconds() - 1000 * DAY;

	private nextId(prefix: string): string {
		this.counter += 1;
		return `${prefix}_${this.counter.toString(36).padStart(6, '0')}${Math.random().toString(36).slice(2, 8)}`;
	}

	/** Creation times strictly increase, so list order is stable. */
	private nextCreatedAt(requested?: number): number {
		this.clock = Math.max(this.clock + 1, requested ?? nowSeconds());
		return requested ?? this.clock;
	}

	addProject(seed: ProjectSeed = {}): StoredProject {
		const project: StoredProject = {
			id: seed.id ?? this.nextId('proj'),
			name: seed.name ?? `Project ${this.projects.size + 1}`,
			created_at: this.nextCreatedAt(seed.created_at),
			archived_at: seed.archived ? nowSeconds() : null,
		};
		this.projects.set(project.id, project);
		this.activeInProject.set(project.id, new Set());
		return project;
	}

	addCertificate(seed: CertificateSeed = {}): StoredCertificate {
		const content =
			seed.content ??
			`-----BEGIN CERTIFICATE-----\nFAKE${this.counter}\n-----END CERTIFICATE-----\n`;
		const validity = pemValidity(content);
		const now = nowSeconds();
		const certificate: StoredCertificate = {
			id: seed.id ?? this.nextId('cert'),
			name: seed.name === undefined ? `Certificate ${this.certificates.size + 1}` : seed.name,
			created_at: this.nextCreatedAt(seed.created_at),
			valid_at: seed.valid_at ?? validity?.valid_at ?? now - 30 * DAY,
			expires_at: seed.expires_at ?? validity?.expires_at ?? now + 365 * DAY,
			content,
		};
		this.certificates.set(certificate.id, certificate);
		if (seed.activeInOrganization) this.activeInOrganization.add(certificate.id);
		for (const projectId of seed.activeInProjects ?? []) {
			if (!this.projects.has(projectId)) this.addProject({ id: projectId });
			this.activeInProject.get(projectId)!.add(certificate.id);
		}
		return certificate;
	}

	/** Where a certificate is active: 'organization' and/or project IDs. */
	whereActive(certificateId: string): string[] {
		const places: string[] = [];
		if (this.activeInOrganization.has(certificateId)) places.push('organization');
		for (const [projectId, active] of this.activeInProject)
			if (active.has(certificateId)) places.push(projectId);
		return places;
	}

	/** Certificates in creation order. */
	certificateList(): StoredCertificate[] {
		return [...this.certificates.values()].sort(
			(a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id),
		);
	}

	projectList(includeArchived: boolean): StoredProject[] {
		return [...this.projects.values()]
			.filter((project) => includeArchived || project.archived_at === null)
			.sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
	}
}
