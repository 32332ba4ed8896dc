export type { AdminApiCall, AdminApiContext, RequestSettings } from './request';
export { adminApiRequest, DEFAULT_REQUEST_SETTINGS } from './request';
export type { BaseUrlRule } from '../../../credentials/shared/baseUrl';
export { checkedBaseUrl } from '../../../credentials/shared/baseUrl';
export { listObjects, listPages, listUpTo, MAX_PAGE_SIZE } from './paging';
export { asNodeError, errorForItem, isRefusedAsActive } from './errors';
