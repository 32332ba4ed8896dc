import { toggleOperation } from '../shared/toggleOperation';

export const { description, execute } = toggleOperation('projectCertificate', 'activate');
