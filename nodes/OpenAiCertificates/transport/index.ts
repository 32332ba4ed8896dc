export type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
export { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';
export type { Endpoint } from './endpoints';
export { ENDPOINTS } from './endpoints';
export { listObjects, listPages, listUpTo, MAX_PAGE_SIZE } from './paging';
