import { toggleOperation } from '../toggleOperation';

export const { description, execute } = toggleOperation('projectCertificate', 'activate');
