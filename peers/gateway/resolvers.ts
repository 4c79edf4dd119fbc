// Resolvers of the test gateway. They follow the real gateway's behaviour where this project
// depends on it: HotChocolate-style global ids, mutation payload `errors`, patchPlan's quirks.
import { GraphQLError, GraphQLScalarType, Kind, type GraphQLResolveInfo, type ValueNode } from 'graphql';
import type {
  BasicDuration,
  ClientRecord,
  GatewayStore,
  PlanRecord,
  PlanSubscriptionRecord,
  PriceTierRecord,
  PriceTierStatus,
  SubscriberRecord,
} from './store.js';

export interface MutationRecord {
  seq: number;
  /** Mutation field, e.g. `createPlanSubscription`. */
  field: string;
  input: Record<string, unknown>;
  outcome: 'applied' | 'rejected';
  /** Error type name when rejected, e.g. `PlanNotFoundError`. */
  errorType?: string;
  at: string;
}

export interface ResolverOptions {
  /** Largest `first`/`last` a connection accepts (HotChocolate's MaxPageSize, 50 by default). */
  maxPageSize: number;
  /** Items in a page when neither `first` nor `last` is given (HotChocolate's DefaultPageSize, 10). */
  defaultPageSize: number;
  /** Told about every connection field resolved, before its limits are checked. */
  onPageRequest?: (request: PageRequest) => void;
}

type Args = Record<string, unknown>;
type ErrorValue = { __typename: string; message: string; [key: string]: unknown };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES: readonly PriceTierStatus[] = ['ACTIVE', 'ARCHIVED', 'DELETED', 'INACTIVE'];

export const nodeId = (typeName: string, key: string | number) => Buffer.from(`${typeName}:${key}`, 'utf8').toString('base64');

function keyOfNodeId(id: unknown, typeName: string): string {
  const text = typeof id === 'string' ? Buffer.from(id, 'base64').toString('utf8') : '';
  if (!text.startsWith(`${typeName}:`) || text.length === typeName.length + 1) {
    throw new GraphQLError(`The node id is not a valid ${typeName} id.`, { extensions: { code: 'HC0091' } });
  }
  return text.slice(typeName.length + 1);
}

const intKeyOfNodeId = (id: unknown, typeName: string): number => {
  const key = keyOfNodeId(id, typeName);
  if (!/^\d+$/.test(key)) throw new GraphQLError(`The node id is not a valid ${typeName} id.`, { extensions: { code: 'HC0091' } });
  return Number(key);
};

const cursorOf = (index: number) => Buffer.from(String(index), 'utf8').toString('base64');

function indexOfCursor(cursor: unknown): number {
  const index = Number(Buffer.from(String(cursor), 'base64').toString('utf8'));
  if (!Number.isInteger(index) || index < 0) throw new GraphQLError('The cursor is invalid.', { extensions: { code: 'HC0078' } });
  return index;
}

/** One connection field resolved: what the caller asked for (absent arguments are undefined). */
export interface PageRequest {
  /** Schema coordinate of the field, e.g. `Subscriber.clients`. */
  coordinate: string;
  first?: number;
  last?: number;
}

const optionalInt = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value));

/**
 * Cursor paging over an ordered list, with HotChocolate's `UsePaging()` defaults: `first`/`last`
 * above the maximum page size fail the field with HC0051 (the field becomes null, the rest of the
 * answer stands), a negative one with HC0079, and neither given means the default page size.
 * `toNode` runs on the returned slice only, so large lists stay cheap.
 */
function connection<T, N>(all: readonly T[], args: Args, info: GraphQLResolveInfo, options: ResolverOptions, toNode: (item: T) => N) {
  const coordinate = `${info.parentType.name}.${info.fieldName}`;
  const first = optionalInt(args['first']);
  const last = optionalInt(args['last']);
  options.onPageRequest?.({ coordinate, ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) });
  for (const requested of [first, last]) {
    if (requested === undefined) continue;
    if (requested < 0) {
      throw new GraphQLError('The requested number of values per page must be at least 0.', {
        extensions: { code: 'HC0079', coordinate, requestedItems: requested },
      });
    }
    if (requested > options.maxPageSize) {
      throw new GraphQLError('The maximum allowed items per page were exceeded.', {
        extensions: { code: 'HC0051', coordinate, requestedItems: requested, maxAllowedItems: options.maxPageSize },
      });
    }
  }
  let start = args['after'] === null || args['after'] === undefined ? 0 : indexOfCursor(args['after']) + 1;
  let end = args['before'] === null || args['before'] === undefined ? all.length : Math.min(all.length, indexOfCursor(args['before']));
  if (first === undefined && last === undefined) end = Math.min(end, start + options.defaultPageSize);
  if (first !== undefined) end = Math.min(end, start + first);
  if (last !== undefined) start = Math.max(start, end - last);
  if (end < start) end = start;
  const nodes = all.slice(start, end).map(toNode);
  return {
    nodes,
    edges: () => nodes.map((node, i) => ({ cursor: cursorOf(start + i), node })),
    pageInfo: {
      hasNextPage: end < all.length,
      hasPreviousPage: start > 0,
      startCursor: nodes.length > 0 ? cursorOf(start) : null,
      endCursor: nodes.length > 0 ? cursorOf(end - 1) : null,
    },
  };
}

function sortClients(clients: ClientRecord[], order: unknown): ClientRecord[] {
  const specs = (Array.isArray(order) ? order : []) as Array<Record<string, 'ASC' | 'DESC'>>;
  const keys = specs.flatMap((spec) => Object.entries(spec)) as Array<[keyof ClientRecord, 'ASC' | 'DESC']>;
  return clients.sort((a, b) => {
    for (const [field, direction] of keys) {
      const x = String(a[field] ?? '');
      const y = String(b[field] ?? '');
      if (x !== y) return (x < y ? -1 : 1) * (direction === 'DESC' ? -1 : 1);
    }
    return 0;
  });
}

function decimalFrom(value: unknown): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) throw new TypeError('Decimal cannot represent a non-numeric value');
  return number;
}

const Decimal = new GraphQLScalarType({
  name: 'Decimal',
  serialize: decimalFrom,
  parseValue: decimalFrom,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return decimalFrom(ast.value);
    throw new TypeError('Decimal cannot represent a non-numeric value');
  },
});

function uuidFrom(value: unknown): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new TypeError('UUID cannot represent this value');
  return value.toLowerCase();
}

const UUIDScalar = new GraphQLScalarType({
  name: 'UUID',
  serialize: uuidFrom,
  parseValue: uuidFrom,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.STRING) return uuidFrom(ast.value);
    throw new TypeError('UUID cannot represent this value');
  },
});

/**
 * A subscriber's global id, computed once per record (a broadcast pages every subscriber of a
 * client; base64-encoding 100,000 ids per run was a tenth of the stand-in's paging CPU). Seeding
 * scripts may call it up front so that not even the first run pays for it.
 */
const subscriberNodeIds = new WeakMap<SubscriberRecord, string>();
export function subscriberNodeId(s: SubscriberRecord): string {
  let id = subscriberNodeIds.get(s);
  if (id === undefined) {
    id = nodeId('Subscriber', s.id);
    subscriberNodeIds.set(s, id);
  }
  return id;
}

export function createResolvers(store: GatewayStore, log: MutationRecord[], options: ResolverOptions) {
  const record = (field: string, input: Args, error?: ErrorValue) => {
    log.push({
      seq: log.length + 1,
      field,
      input: structuredClone(input),
      outcome: error ? 'rejected' : 'applied',
      ...(error ? { errorType: error.__typename } : {}),
      at: new Date().toISOString(),
    });
  };
  const inputOf = (args: Args) => (args['input'] ?? {}) as Args;
  const fail = (field: string, input: Args, payloadField: string, error: ErrorValue) => {
    record(field, input, error);
    return { [payloadField]: null, errors: [error] };
  };

  return {
    Decimal,
    UUID: UUIDScalar,

    Query: {
      client: (_: unknown, args: Args) => store.clients.get(keyOfNodeId(args['id'], 'Client')) ?? null,
      clientByCustomerId: (_: unknown, args: Args) => store.clientByCustomerId(String(args['customerId'])) ?? null,
      clientByPhoneNumber: (_: unknown, args: Args) => store.clientByPhoneNumber(String(args['phoneNumber'])) ?? null,
      paymentConfirmationByCode: (_: unknown, args: Args) => store.paymentConfirmationByCode(String(args['confirmationCode'])) ?? null,
      planByForeignId: (_: unknown, args: Args) => store.planByForeignId(String(args['id'])) ?? null,
      plans: (_: unknown, args: Args, _ctx: unknown, info: GraphQLResolveInfo) => {
        const where = args['where'] as { id?: { eq?: number | null } } | null | undefined;
        const wanted = where?.id?.eq;
        const plans = [...store.plans.values()].filter((p) => wanted === undefined || wanted === null || p.id === wanted);
        return connection(
          plans.sort((a, b) => a.id - b.id),
          args,
          info,
          options,
          (p) => p,
        );
      },
      planSubscriptions: (_: unknown, args: Args, _ctx: unknown, info: GraphQLResolveInfo) => {
        const where = args['where'] as { paymentConfirmationId?: { eq?: string | null } } | null | undefined;
        const wanted = where?.paymentConfirmationId?.eq;
        const all = [...store.planSubscriptions.values()].filter((s) => !wanted || s.paymentConfirmationId === wanted);
        return connection(all, args, info, options, (s) => s);
      },
      priceTierByForeignId: (_: unknown, args: Args) => store.priceTierByForeignId(String(args['id'])) ?? null,
      subscriberByPhoneNumber: (_: unknown, args: Args) => store.subscriberByPhoneNumber(String(args['phoneNumber'])) ?? null,
    },

    Client: {
      id: (c: ClientRecord) => nodeId('Client', c.id),
      subscribers: (c: ClientRecord, args: Args, _ctx: unknown, info: GraphQLResolveInfo) => {
        const order = (args['order'] ?? []) as Array<Record<string, string>>;
        if (order.some((spec) => Object.entries(spec).some(([field, dir]) => field !== 'id' || dir !== 'ASC'))) {
          throw new GraphQLError('The test gateway pages subscribers by id ASC only.');
        }
        return connection(store.subscriberIdsOf(c.id), args, info, options, (id) => store.subscribers.get(id));
      },
      subscription: (c: ClientRecord) => (c.subscriptionId ? (store.planSubscriptions.get(c.subscriptionId) ?? null) : null),
    },

    Subscriber: {
      id: subscriberNodeId,
      clients: (s: SubscriberRecord, args: Args, _ctx: unknown, info: GraphQLResolveInfo) => {
        const clients = [...s.clientIds].map((id) => store.clients.get(id)).filter((c): c is ClientRecord => c !== undefined);
        return connection(sortClients(clients, args['order']), args, info, options, (c) => c);
      },
    },

    PaymentConfirmation: {
      id: (p: { id: string }) => nodeId('PaymentConfirmation', p.id),
    },

    Plan: {
      id: (p: PlanRecord) => nodeId('Plan', p.id),
      priceTiers: (p: PlanRecord) => store.priceTiersOf(p.id),
    },

    PriceTier: {
      id: (t: PriceTierRecord) => nodeId('PriceTier', t.id),
      planId: (t: PriceTierRecord) => nodeId('Plan', t.planId),
    },

    PlanSubscription: {
      id: (s: PlanSubscriptionRecord) => nodeId('PlanSubscription', s.id),
      priceTier: (s: PlanSubscriptionRecord) => store.priceTiers.get(s.priceTierId) ?? null,
    },

    Mutation: {
      createPaymentConfirmation: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const paymentConfirmation = store.addPaymentConfirmation({
          confirmationCode: String(input['confirmationId']),
          merchantServiceId: Number(input['merchantServiceId']),
        });
        record('createPaymentConfirmation', input);
        return { paymentConfirmation };
      },

      createPlanSubscription: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const field = 'createPlanSubscription';
        const creationError = (message: string) => fail(field, input, 'planSubscription', { __typename: 'PlanCreationError', message });
        const tier = store.priceTierByForeignId(String(input['priceTierForeignServiceId']));
        if (!tier)
          return creationError(`Price tier with PriceTierForeignServiceId ${String(input['priceTierForeignServiceId'])} not found`);
        const clientId = String(input['clientId']);
        const paymentConfirmationId = String(input['paymentConfirmationId']);
        // Nudges parses both as GUIDs (database keys, not node ids).
        if (!UUID.test(clientId) || !UUID.test(paymentConfirmationId)) return creationError('Unrecognized Guid format.');
        if (!store.clients.has(clientId.toLowerCase())) return creationError('The client does not exist.');
        if (!store.paymentConfirmations.has(paymentConfirmationId.toLowerCase()))
          return creationError('The payment confirmation does not exist.');
        const planSubscription = store.addPlanSubscription({
          clientId: clientId.toLowerCase(),
          paymentConfirmationId: paymentConfirmationId.toLowerCase(),
          priceTierId: tier.id,
        });
        record(field, input);
        return { planSubscription, errors: null };
      },

      patchPlan: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const field = 'patchPlan';
        const planId = Number(input['id']);
        const plan = store.plans.get(planId);
        if (!plan)
          return fail(field, input, 'plan', { __typename: 'PlanNotFoundError', message: `Plan with ID ${planId} not found`, planId });
        const tiers = (input['priceTiers'] ?? []) as Args[];
        const invalid = tiers.find((t) => !matchTier(store, plan.id, t) && (t['name'] == null || t['price'] == null));
        if (invalid)
          return fail(field, input, 'plan', {
            __typename: 'PlanUpdateError',
            message: 'A new price tier needs a name and a price.',
            planId,
          });
        plan.name = (input['name'] as string | null | undefined) ?? plan.name;
        plan.description = (input['description'] as string | null | undefined) ?? plan.description;
        plan.iconUrl = (input['iconUrl'] as string | null | undefined) ?? plan.iconUrl;
        plan.foreignServiceId = (input['foreignServiceId'] as string | null | undefined) ?? plan.foreignServiceId;
        store.foreignIdChanged(plan);
        // As in Nudges: isActive is assigned as given, so leaving it out clears it.
        plan.isActive = (input['isActive'] as boolean | null | undefined) ?? null;
        for (const t of tiers) applyTierPatch(store, plan.id, t);
        record(field, input);
        return { plan, errors: null };
      },

      deletePlan: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const planId = intKeyOfNodeId(input['id'], 'Plan');
        const plan = store.plans.get(planId);
        if (!plan)
          return fail('deletePlan', input, 'plan', {
            __typename: 'PlanNotFoundError',
            message: `Plan with ID ${planId} not found`,
            planId,
          });
        store.deletePlan(planId);
        record('deletePlan', input);
        return { plan, errors: null };
      },

      patchPriceTier: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const field = 'patchPriceTier';
        const tier = store.priceTiers.get(intKeyOfNodeId(input['id'], 'PriceTier'));
        if (!tier) return fail(field, input, 'plan', { __typename: 'PriceTierNotFoundError', message: 'Price tier not found' });
        const status = input['status'] as string | null | undefined;
        if (status != null && !STATUSES.includes(status as PriceTierStatus)) {
          return fail(field, input, 'plan', {
            __typename: 'PriceTierUpdateError',
            message: `Unknown status ${status}`,
            priceTierId: tier.id,
          });
        }
        applyTierFields(tier, input);
        store.foreignIdChanged(tier);
        record(field, input);
        return { plan: store.plans.get(tier.planId) ?? null, errors: null };
      },

      deletePriceTier: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const tier = store.priceTiers.get(intKeyOfNodeId(input['id'], 'PriceTier'));
        if (!tier) return fail('deletePriceTier', input, 'plan', { __typename: 'PriceTierNotFoundError', message: 'Price tier not found' });
        tier.status = 'INACTIVE'; // Nudges deactivates rather than deleting the row
        record('deletePriceTier', input);
        return { plan: store.plans.get(tier.planId) ?? null, errors: null };
      },

      unsubscribeSubscriberFromClient: (_: unknown, args: Args) => {
        const input = inputOf(args);
        const field = 'unsubscribeSubscriberFromClient';
        const client = store.clients.get(keyOfNodeId(input['clientId'], 'Client'));
        if (!client) return fail(field, input, 'client', { __typename: 'ClientNotFoundError', message: 'Client not found' });
        const subscriberId = keyOfNodeId(input['subscriberId'], 'Subscriber');
        if (!store.unsubscribe(subscriberId, client.id)) {
          return fail(field, input, 'client', {
            __typename: 'NotSubscribedError',
            message: 'The subscriber is not subscribed to this client',
          });
        }
        record(field, input);
        return { client, errors: null };
      },
    },
  };
}

function matchTier(store: GatewayStore, planId: number, patch: Args): PriceTierRecord | undefined {
  const tiers = store.priceTiersOf(planId);
  const id = patch['id'];
  if (typeof id === 'string') {
    const byId = tiers.find((t) => nodeId('PriceTier', t.id) === id);
    if (byId) return byId;
  }
  const foreignId = patch['foreignServiceId'];
  return typeof foreignId === 'string' ? tiers.find((t) => t.foreignServiceId === foreignId) : undefined;
}

function applyTierPatch(store: GatewayStore, planId: number, patch: Args): void {
  const existing = matchTier(store, planId, patch);
  if (existing) {
    applyTierFields(existing, patch);
    store.foreignIdChanged(existing);
    return;
  }
  store.addPriceTier(planId, {
    name: String(patch['name']),
    price: Number(patch['price']),
    ...(typeof patch['foreignServiceId'] === 'string' ? { foreignServiceId: patch['foreignServiceId'] } : {}),
    ...(typeof patch['status'] === 'string' ? { status: patch['status'] as PriceTierStatus } : {}),
    ...(typeof patch['duration'] === 'string' ? { duration: patch['duration'] as BasicDuration } : {}),
    ...(typeof patch['description'] === 'string' ? { description: patch['description'] } : {}),
    ...(typeof patch['iconUrl'] === 'string' ? { iconUrl: patch['iconUrl'] } : {}),
  });
}

function applyTierFields(tier: PriceTierRecord, patch: Args): void {
  if (typeof patch['name'] === 'string') tier.name = patch['name'];
  if (typeof patch['price'] === 'number') tier.price = patch['price'];
  if (typeof patch['status'] === 'string') tier.status = patch['status'] as PriceTierStatus;
  if (typeof patch['duration'] === 'string') tier.duration = patch['duration'] as BasicDuration;
  if (typeof patch['foreignServiceId'] === 'string') tier.foreignServiceId = patch['foreignServiceId'];
  if (typeof patch['description'] === 'string') tier.description = patch['description'];
  if (typeof patch['iconUrl'] === 'string') tier.iconUrl = patch['iconUrl'];
}
