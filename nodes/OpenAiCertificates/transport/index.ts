export type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
export { adminApiRequest, checkedBaseUrl, DEFAULT_REQUEST_SETTINGS } from './request';
export { collectObjects, listObjects, MAX_PAGE_SIZE } from './paging';
export { asNodeError } from './errors';
