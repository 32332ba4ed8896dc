import type {
	IAuthenticate,
	ICredentialDataDecryptedObject,
	ICredentials,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper } from 'n8n-workflow';

import { OpenAiAdminApi } from '../../credentials/OpenAiAdminApi.credentials';
import { OpenAiMtlsClientApi } from '../../credentials/OpenAiMtlsClientApi.credentials';

const credentialTypes = {
	openAiAdminApi: new OpenAiAdminApi(),
	openAiMtlsClientApi: new OpenAiMtlsClientApi(),
};

/**
 * Hands the node its credential and applies the credential type's own `authenticate` the way n8n's
 * CredentialsHelper does: a function is called; a generic one's headers are resolved by the workflow's
 * expression engine. n8n's own test helper skips generic authenticate, so this one is ours.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const type = credentialTypes[typeName as keyof typeof credentialTypes];
		if (!type) throw new Error(`Unknown credential type ${typeName}`);
		const options = requestOptions as IHttpRequestOptions;
		// As n8n's CredentialsHelper: a function is called with the decrypted data; a generic one is resolved.
		const authenticate = type.authenticate as IAuthenticate;
		if (typeof authenticate === 'function')
			return await authenticate.call(type, credentials, options);
		const headers = (authenticate.properties.headers ?? {}) as Record<string, string>;
		options.headers = { ...(options.headers ?? {}) };
		for (const [name, value] of Object.entries(headers)) {
			options.headers[name] = workflow!.expression.getSimpleParameterValue(node!, value, 'manual', {
				$credentials: credentials,
			} as never) as string;
		}
		return options;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async getCredentials(_details: INodeCredentialsDetails, _type: string): Promise<ICredentials> {
		throw new Error('not used');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.credentials[type];
		if (!data) throw new Error(`No test credentials of type ${type}`);
		return { ...data };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type as keyof typeof credentialTypes]?.properties ?? [];
	}
}
