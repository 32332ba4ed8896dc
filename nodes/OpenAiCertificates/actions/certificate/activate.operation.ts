import { toggleOperation } from '../shared/toggleOperation';

export const { description, execute } = toggleOperation('certificate', 'activate');
