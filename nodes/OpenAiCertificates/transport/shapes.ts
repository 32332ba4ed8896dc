/**
 * The Admin API's answers, as `spec/` describes them: one declaration per shape, beside the transport
 * that receives them. Operations, the trigger and list searches name these instead of declaring their own.
 */
import type { IDataObject } from 'n8n-workflow';

/** Validity of a certificate, in Unix seconds; `content` (the PEM) only when asked for. */
export interface CertificateDetails extends IDataObject {
	valid_at?: number;
	expires_at?: number;
	content?: string;
}

/** One certificate as Get, Upload and Rename answer it (`object: certificate`). */
export interface Certificate extends IDataObject {
	object: string;
	id: string;
	name: string | null;
	created_at: number;
	certificate_details: CertificateDetails;
	active?: boolean;
}

/** One certificate of the organization's list, and whether it is active for the organization. */
export interface OrganizationCertificate extends Certificate {
	active: boolean;
}

/** One certificate of a project's list, and whether it is active for that project. */
export interface ProjectCertificate extends Certificate {
	active: boolean;
}

/** The answer of Delete (`object: certificate.deleted`). */
export interface CertificateDeleted extends IDataObject {
	object: string;
	id: string;
}

/** The answer of an activate or deactivate call: the certificates it switched. */
export interface ActivationResponse extends IDataObject {
	object: string;
	data: OrganizationCertificate[];
}

/** One project of the organization (only what the node reads). */
export interface Project extends IDataObject {
	id: string;
	name?: string;
}

/** One page of a cursor-paged list. */
export interface ListPage<T> {
	object?: string;
	data?: T[];
	first_id?: string | null;
	last_id?: string | null;
	has_more?: boolean;
}
