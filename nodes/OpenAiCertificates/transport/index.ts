export type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
export { adminApiRequest, checkedBaseUrl, DEFAULT_REQUEST_SETTINGS } from './request';
export { listObjects, listPages, listUpTo, MAX_PAGE_SIZE } from './paging';
export { asNodeError } from './errors';
