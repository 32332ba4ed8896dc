import { toggleOperation } from '../toggleOperation';

export const { description, execute } = toggleOperation('certificate', 'activate');
