// Reading the gateway's answers the same way in every client: mutation payloads with `errors`,
// ids the gateway wants as keys, and cursors of paged connections.
import { GatewayBusinessError } from './gateway.errors.js';
import { payloadError, type PayloadError } from './graphql-errors.js';
import { intKeyOf, uuidKeyOf } from './node-id.js';

/** A mutation payload: `errors` plus one data field (e.g. `plan`). */
export type MutationPayload = { errors?: PayloadError[] | null } & Record<string, unknown>;

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The payload's `field`; its errors, or a missing value, as GatewayBusinessError. */
export function payloadValue<T>(operation: string, payload: MutationPayload, field: string): T {
  if (payload.errors?.length) throw payloadError(operation, payload.errors);
  const value = payload[field] as T | null | undefined;
  if (value === null || value === undefined) throw new GatewayBusinessError(operation, 'EmptyPayload', `no ${field} returned`);
  return value;
}

/** 'notFound' when every error is a *NotFound* one, so a redelivered delete is harmless. */
export function deleteOutcome(operation: string, payload: MutationPayload): 'deleted' | 'notFound' {
  const errors = payload.errors ?? [];
  if (errors.length === 0) return 'deleted';
  if (errors.every((e) => /NotFound/.test(e.__typename))) return 'notFound';
  throw payloadError(operation, errors);
}

/** The GUID of a GUID or node id (the gateway wants GUIDs in some inputs). */
export function requireUuid(operation: string, id: string): string {
  const uuid = uuidKeyOf(id);
  if (uuid === null) throw new GatewayBusinessError(operation, 'InvalidId', 'expected a GUID or a node id with a GUID key');
  return uuid;
}

/** The Int key of a plan given as a number, a numeric string or a node id. */
export function requirePlanKey(operation: string, planId: number | string): number {
  const key = typeof planId === 'number' ? (Number.isInteger(planId) && planId > 0 ? planId : null) : intKeyOf(planId.trim());
  if (key === null) throw new GatewayBusinessError(operation, 'InvalidId', 'expected a plan Int key or node id');
  return key;
}

/** The cursor of the next page, or null at the end; refuses a cursor that does not advance. */
export function nextCursor(operation: string, pageInfo: PageInfo | undefined, previous: string | null): string | null {
  if (!pageInfo?.hasNextPage || !pageInfo.endCursor) return null;
  if (pageInfo.endCursor === previous)
    throw new GatewayBusinessError(operation, 'PagingError', 'the gateway returned the same cursor twice');
  return pageInfo.endCursor;
}
