import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApolloClient, InMemoryCache, type DocumentNode } from '@apollo/client';
import { BaseHttpLink } from '@apollo/client/link/http';
import { GRAPHQL_MAX_PAGE_SIZE, type GatewayConfig } from '../config/gateway.env.js';
import { OidcTokenProvider, type AccessTokenSource } from '../oidc/oidc-token-provider.js';
import { GatewayBusinessError } from './gateway.errors.js';
import { payloadError, toGatewayError, type PayloadError } from './gateway-error-mapping.js';
import { CheckedOnceIncrementalHandler } from './checked-once-incremental-handler.js';
import { gatewayFetch, type GatewayFetch } from './gateway-transport.js';
import type {
  DeleteOutcome,
  GatewayClientAccount,
  GatewayClientProfile,
  GatewayPlan,
  GatewayPriceTier,
  GatewaySubscriber,
  PaymentConfirmationRef,
  PlanPatch,
  PlanSubscriptionSummary,
  PriceTierPatch,
  SubscriberClient,
  SubscriberContact,
  UnsubscribeOutcome,
} from './gateway.types.js';
import { intKeyOf, uuidKeyOf } from './node-id.js';
import * as ops from './operations.js';

export const GATEWAY_OPTIONS = 'NUDGES_GATEWAY_OPTIONS';

export interface GatewayOptions extends Pick<GatewayConfig, 'url' | 'timeoutMs'> {
  /**
   * `first` of every paged request (a subscriber's clients, a client's subscribers): 1 to
   * GRAPHQL_MAX_PAGE_SIZE (50), the gateway's maximum. Default 50.
   */
  pageSize?: number;
}

// ---- raw response shapes (as selected in ./operations.ts)

interface RawPlanSubscription {
  id: string;
  status: string | null;
  paymentConfirmationId: string;
  priceTier: { id: string; foreignServiceId: string | null } | null;
}
type RawPriceTier = GatewayPriceTier;
type RawPlan = Omit<GatewayPlan, 'databaseId'>;
interface RawPageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
/** A mutation payload: `errors` plus one data field (e.g. `plan`). */
type Payload = { errors?: PayloadError[] | null } & Record<string, unknown>;

/**
 * The Nudges GraphQL gateway, as the Stripe and Twilio flows use it. Every method either returns,
 * returns null for "not found" lookups, or throws GatewayUnavailableError (transient: let the
 * webhook answer 500) or GatewayBusinessError (permanent). No method retries for long: one quick
 * retry after a 401, with a fresh token, is all.
 */
@Injectable()
export class NudgesGateway implements OnModuleDestroy {
  private readonly apollo: ApolloClient;
  private readonly transport: GatewayFetch;
  private readonly pageSize: number;

  constructor(@Inject(GATEWAY_OPTIONS) options: GatewayOptions, @Inject(OidcTokenProvider) tokens: AccessTokenSource) {
    this.pageSize = checkedPageSize(options.pageSize ?? GRAPHQL_MAX_PAGE_SIZE);
    // Bearer token, 401 refresh, timeout and keep-alive live in the transport (gateway-transport.ts).
    this.transport = gatewayFetch({ timeoutMs: options.timeoutMs, tokens });
    this.apollo = new ApolloClient({
      // HttpLink without its client-awareness headers (we send no client name). Every operation uses
      // all of its variables, so the link need not walk the document per request to drop unused ones.
      link: new BaseHttpLink({ uri: options.url, fetch: this.transport.fetch, includeUnusedVariables: true }),
      // Required by ApolloClient; never written to (every operation is 'no-cache').
      cache: new InMemoryCache(),
      incrementalHandler: new CheckedOnceIncrementalHandler(),
      queryDeduplication: false,
      defaultOptions: {
        query: { fetchPolicy: 'no-cache' },
        mutate: { fetchPolicy: 'no-cache' },
      },
    });
  }

  onModuleDestroy(): void {
    this.apollo.stop();
    this.transport.close();
  }

  // ------------------------------------------------------------ Stripe: checkout

  /** The client paying with this Stripe customer id, with its current subscription; null if none. */
  async clientByCustomerId(customerId: string): Promise<GatewayClientAccount | null> {
    const data = await this.query<{ clientByCustomerId: RawClientAccount | null }>('ClientByCustomerId', ops.CLIENT_BY_CUSTOMER_ID, { customerId });
    const client = data.clientByCustomerId;
    if (!client) return null;
    return {
      id: client.id,
      uuid: uuidKeyOf(client.id),
      name: client.name,
      customerId: client.customerId,
      subscription: client.subscription ? subscriptionSummary(client.subscription) : null,
    };
  }

  /** The payment confirmation recorded for a Stripe invoice id; null if none. */
  async paymentConfirmationByCode(confirmationCode: string): Promise<PaymentConfirmationRef | null> {
    const data = await this.query<{ paymentConfirmationByCode: RawConfirmation | null }>('PaymentConfirmationByCode', ops.PAYMENT_CONFIRMATION_BY_CODE, {
      confirmationCode,
    });
    return data.paymentConfirmationByCode ? confirmationRef(data.paymentConfirmationByCode) : null;
  }

  /** Records a payment. Not idempotent upstream: look it up with paymentConfirmationByCode first. */
  async createPaymentConfirmation(input: { confirmationId: string; merchantServiceId: number }): Promise<PaymentConfirmationRef> {
    const name = 'CreatePaymentConfirmation';
    const data = await this.mutate<{ createPaymentConfirmation: { paymentConfirmation: RawConfirmation | null } }>(name, ops.CREATE_PAYMENT_CONFIRMATION, {
      input,
    });
    const created = data.createPaymentConfirmation.paymentConfirmation;
    if (!created) throw new GatewayBusinessError(name, 'EmptyPayload', 'no payment confirmation returned');
    return confirmationRef(created);
  }

  /** The plan subscription paid by this payment confirmation (node id or GUID); null if none yet. */
  async planSubscriptionByPaymentConfirmation(paymentConfirmationId: string): Promise<PlanSubscriptionSummary | null> {
    const name = 'PlanSubscriptionByPaymentConfirmation';
    const uuid = requireUuid(name, paymentConfirmationId);
    const data = await this.query<{ planSubscriptions: { nodes: RawPlanSubscription[] | null } | null }>(
      name,
      ops.PLAN_SUBSCRIPTION_BY_PAYMENT_CONFIRMATION,
      { paymentConfirmationId: uuid },
    );
    const found = data.planSubscriptions?.nodes?.[0];
    return found ? subscriptionSummary(found) : null;
  }

  /**
   * Subscribes a client to the price tier with this Stripe price id. `clientId` and
   * `paymentConfirmationId` may be node ids or GUIDs (the gateway wants GUIDs here).
   */
  async createPlanSubscription(input: { clientId: string; paymentConfirmationId: string; priceTierForeignServiceId: string }): Promise<PlanSubscriptionSummary> {
    const name = 'CreatePlanSubscription';
    const variables = {
      input: {
        clientId: requireUuid(name, input.clientId),
        paymentConfirmationId: requireUuid(name, input.paymentConfirmationId),
        priceTierForeignServiceId: input.priceTierForeignServiceId,
      },
    };
    const data = await this.mutate<{ createPlanSubscription: Payload }>(name, ops.CREATE_PLAN_SUBSCRIPTION, variables);
    const created = this.payloadValue<RawPlanSubscription>(name, data.createPlanSubscription, 'planSubscription');
    return subscriptionSummary(created);
  }

  // ------------------------------------------------------------ Stripe: products and prices

  /** The plan with this Int key (Stripe product metadata `planId`, a number or numeric string); null if none. */
  async planById(planId: number | string): Promise<GatewayPlan | null> {
    const name = 'PlanById';
    const data = await this.query<{ plans: { nodes: RawPlan[] | null } | null }>(name, ops.PLAN_BY_ID, { id: requirePlanKey(name, planId) });
    const plan = data.plans?.nodes?.[0];
    return plan ? toPlan(plan) : null;
  }

  /** The plan linked to this Stripe product id; null if none. */
  async planByForeignId(productId: string): Promise<GatewayPlan | null> {
    const data = await this.query<{ planByForeignId: RawPlan | null }>('PlanByForeignId', ops.PLAN_BY_FOREIGN_ID, { id: productId });
    return data.planByForeignId ? toPlan(data.planByForeignId) : null;
  }

  /**
   * Patches a plan identified by its Int key (or node id). Price tiers in `patch.priceTiers` are
   * matched by id or foreignServiceId and updated, or added. PlanNotFoundError → GatewayBusinessError (notFound).
   */
  async patchPlan(planId: number | string, patch: PlanPatch): Promise<GatewayPlan> {
    const name = 'PatchPlan';
    const input = { id: requirePlanKey(name, planId), ...patch };
    const data = await this.mutate<{ patchPlan: Payload }>(name, ops.PATCH_PLAN, { input });
    return toPlan(this.payloadValue<RawPlan>(name, data.patchPlan, 'plan'));
  }

  /** Deletes a plan by node id; 'notFound' when it is already gone (so a redelivered event is harmless). */
  async deletePlan(planNodeId: string): Promise<DeleteOutcome> {
    const data = await this.mutate<{ deletePlan: Payload }>('DeletePlan', ops.DELETE_PLAN, { input: { id: planNodeId } });
    return this.deleteOutcome('DeletePlan', data.deletePlan);
  }

  /** The price tier linked to this Stripe price id; null if none. */
  async priceTierByForeignId(priceId: string): Promise<GatewayPriceTier | null> {
    const data = await this.query<{ priceTierByForeignId: RawPriceTier | null }>('PriceTierByForeignId', ops.PRICE_TIER_BY_FOREIGN_ID, { id: priceId });
    return data.priceTierByForeignId ?? null;
  }

  /**
   * Patches a price tier (node id); returns the node id of its plan (the selection stops there:
   * the Stripe flow needs nothing else, and the whole plan with its tiers would cost both sides on
   * every price update). PriceTierNotFoundError → GatewayBusinessError (notFound).
   */
  async patchPriceTier(priceTierId: string, patch: PriceTierPatch): Promise<{ planId: string } | null> {
    const name = 'PatchPriceTier';
    const data = await this.mutate<{ patchPriceTier: Payload }>(name, ops.PATCH_PRICE_TIER, { input: { id: priceTierId, ...patch } });
    const payload = data.patchPriceTier;
    if (payload.errors?.length) throw payloadError(name, payload.errors);
    const plan = payload['plan'] as { id: string } | null | undefined;
    return plan ? { planId: plan.id } : null;
  }

  /** Deletes (Nudges: deactivates) a price tier by node id; 'notFound' when there is no such tier. */
  async deletePriceTier(priceTierId: string): Promise<DeleteOutcome> {
    const data = await this.mutate<{ deletePriceTier: Payload }>('DeletePriceTier', ops.DELETE_PRICE_TIER, {
      input: { id: priceTierId },
    });
    return this.deleteOutcome('DeletePriceTier', data.deletePriceTier);
  }

  // ------------------------------------------------------------ Twilio

  /** The client texting from this number; null if the number is not a client's. */
  async clientByPhoneNumber(phoneNumber: string): Promise<GatewayClientProfile | null> {
    const data = await this.query<{ clientByPhoneNumber: RawClientProfile | null }>('ClientByPhoneNumber', ops.CLIENT_BY_PHONE_NUMBER, { phoneNumber });
    const client = data.clientByPhoneNumber;
    if (!client) return null;
    const status = client.subscription?.status ?? null;
    return {
      id: client.id,
      uuid: uuidKeyOf(client.id),
      name: client.name,
      slug: client.slug,
      locale: client.locale,
      subscriptionStatus: status,
      hasActiveSubscription: status?.toUpperCase() === 'ACTIVE',
    };
  }

  /**
   * The subscriber texting from this number, with all its clients in a stable order (pages of
   * `pageSize` followed to the end); null if none.
   */
  async subscriberByPhoneNumber(phoneNumber: string): Promise<GatewaySubscriber | null> {
    const name = 'SubscriberByPhoneNumber';
    const clients: SubscriberClient[] = [];
    let after: string | null = null;
    for (;;) {
      const data: { subscriberByPhoneNumber: RawSubscriber | null } = await this.query(name, ops.SUBSCRIBER_BY_PHONE_NUMBER, {
        phoneNumber,
        first: this.pageSize,
        after,
      });
      const subscriber = data.subscriberByPhoneNumber;
      if (!subscriber) return null;
      clients.push(...(subscriber.clients?.nodes ?? []).map((c) => ({ id: c.id, name: c.name })));
      after = nextCursor(name, subscriber.clients?.pageInfo, after);
      if (after === null) {
        return { id: subscriber.id, uuid: uuidKeyOf(subscriber.id), phoneNumber, locale: subscriber.locale, clients };
      }
    }
  }

  /** Unsubscribes a subscriber from a client on the subscriber's behalf (extension mutation). */
  async unsubscribeSubscriber(subscriberId: string, clientId: string): Promise<UnsubscribeOutcome> {
    const name = 'UnsubscribeSubscriberFromClient';
    const data = await this.mutate<{ unsubscribeSubscriberFromClient: Payload }>(name, ops.UNSUBSCRIBE_SUBSCRIBER_FROM_CLIENT, {
      input: { subscriberId, clientId },
    });
    const errors = data.unsubscribeSubscriberFromClient.errors ?? [];
    if (errors.length === 0) return 'unsubscribed';
    if (errors.every((e) => e.__typename === 'NotSubscribedError')) return 'notSubscribed';
    throw payloadError(name, errors);
  }

  /**
   * All subscribers of a client (node id), one page (`pageSize`, default from the options, at most
   * GRAPHQL_MAX_PAGE_SIZE) per gateway request, in the gateway's id order. Uses the
   * Subscriber.phoneNumber extension.
   */
  async *subscriberPages(clientId: string, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<SubscriberContact[]> {
    const name = 'ClientSubscribersPage';
    const first = options.pageSize === undefined ? this.pageSize : checkedPageSize(options.pageSize);
    let after: string | null = null;
    for (;;) {
      options.signal?.throwIfAborted();
      const data: { client: RawClientSubscribers | null } = await this.query(name, ops.CLIENT_SUBSCRIBERS_PAGE, {
        clientId,
        first,
        after,
      });
      if (!data.client) throw new GatewayBusinessError(name, 'ClientNotFoundError', 'the client does not exist');
      const connection = data.client.subscribers;
      yield (connection?.nodes ?? []).map((s) => ({ id: s.id, phoneNumber: s.phoneNumber, locale: s.locale }));
      after = nextCursor(name, connection?.pageInfo, after);
      if (after === null) return;
    }
  }

  /** Every subscriber of a client, one at a time (paged underneath, see subscriberPages). */
  async *subscribersOfClient(clientId: string, options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<SubscriberContact> {
    for await (const page of this.subscriberPages(clientId, options)) yield* page;
  }

  // ------------------------------------------------------------ plumbing

  private async query<T>(operation: string, query: DocumentNode, variables: Record<string, unknown>): Promise<T> {
    try {
      const result = await this.apollo.query({ query, variables, fetchPolicy: 'no-cache', errorPolicy: 'none' });
      if (result.error) throw result.error;
      return result.data as T;
    } catch (error) {
      throw toGatewayError(operation, error);
    }
  }

  private async mutate<T>(operation: string, mutation: DocumentNode, variables: Record<string, unknown>): Promise<T> {
    try {
      const result = await this.apollo.mutate({ mutation, variables, fetchPolicy: 'no-cache', errorPolicy: 'none' });
      if (result.error) throw result.error;
      return result.data as T;
    } catch (error) {
      throw toGatewayError(operation, error);
    }
  }

  private payloadValue<T>(operation: string, payload: Payload, field: string): T {
    if (payload.errors?.length) throw payloadError(operation, payload.errors);
    const value = payload[field] as T | null | undefined;
    if (value === null || value === undefined) throw new GatewayBusinessError(operation, 'EmptyPayload', `no ${field} returned`);
    return value;
  }

  private deleteOutcome(operation: string, payload: Payload): DeleteOutcome {
    const errors = payload.errors ?? [];
    if (errors.length === 0) return 'deleted';
    if (errors.every((e) => /NotFound/.test(e.__typename))) return 'notFound';
    throw payloadError(operation, errors);
  }
}

interface RawClientAccount {
  id: string;
  name: string;
  customerId: string | null;
  subscription: RawPlanSubscription | null;
}
interface RawClientProfile {
  id: string;
  name: string;
  slug: string;
  locale: string | null;
  subscription: { id: string; status: string | null } | null;
}
interface RawConfirmation {
  id: string;
  confirmationCode: string;
}
interface RawSubscriber {
  id: string;
  locale: string | null;
  clients: { pageInfo: RawPageInfo; nodes: SubscriberClient[] | null } | null;
}
interface RawClientSubscribers {
  id: string;
  subscribers: { pageInfo: RawPageInfo; nodes: Array<{ id: string; locale: string | null; phoneNumber: string | null }> | null } | null;
}

function subscriptionSummary(raw: RawPlanSubscription): PlanSubscriptionSummary {
  return {
    id: raw.id,
    status: raw.status,
    paymentConfirmationId: raw.paymentConfirmationId,
    priceForeignServiceId: raw.priceTier?.foreignServiceId ?? null,
  };
}

function confirmationRef(raw: RawConfirmation): PaymentConfirmationRef {
  return { id: raw.id, uuid: uuidKeyOf(raw.id), confirmationCode: raw.confirmationCode };
}

function toPlan(raw: RawPlan): GatewayPlan {
  return {
    id: raw.id,
    databaseId: intKeyOf(raw.id),
    name: raw.name,
    description: raw.description,
    iconUrl: raw.iconUrl,
    isActive: raw.isActive,
    foreignServiceId: raw.foreignServiceId,
    priceTiers: raw.priceTiers.map((t) => ({ ...t })),
  };
}

function requireUuid(operation: string, id: string): string {
  const uuid = uuidKeyOf(id);
  if (uuid === null) throw new GatewayBusinessError(operation, 'InvalidId', 'expected a GUID or a node id with a GUID key');
  return uuid;
}

function requirePlanKey(operation: string, planId: number | string): number {
  const key = typeof planId === 'number' ? (Number.isInteger(planId) && planId > 0 ? planId : null) : intKeyOf(planId.trim());
  if (key === null) throw new GatewayBusinessError(operation, 'InvalidId', 'expected a plan Int key or node id');
  return key;
}

/** A page size the gateway serves, or a RangeError (asking for more would fail with HC0051). */
function checkedPageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > GRAPHQL_MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be a whole number from 1 to ${GRAPHQL_MAX_PAGE_SIZE}, got ${pageSize}`);
  }
  return pageSize;
}

/** The cursor of the next page, or null at the end; refuses a cursor that does not advance. */
function nextCursor(operation: string, pageInfo: RawPageInfo | undefined, previous: string | null): string | null {
  if (!pageInfo?.hasNextPage || !pageInfo.endCursor) return null;
  if (pageInfo.endCursor === previous) throw new GatewayBusinessError(operation, 'PagingError', 'the gateway returned the same cursor twice');
  return pageInfo.endCursor;
}
