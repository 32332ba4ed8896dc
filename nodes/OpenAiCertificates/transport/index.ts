export type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
export { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';
export type { BaseUrlRule } from './baseUrl';
export { checkedBaseUrl } from './baseUrl';
export { listObjects, listPages, listUpTo, MAX_PAGE_SIZE } from './paging';
export { asNodeError, errorForItem, isRefusedAsActive } from './errors';
