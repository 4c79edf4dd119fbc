// The test gateway's schema: the subset of the Nudges gateway's published schema that this
// project's operations use (same type, field and argument names, same types and nullability;
// directives such as @authorize/@cost left out), plus the extensions this stand-in serves. The
// drift check in libs/shared/src/graphql/operations.contract.spec.ts compares the subset with the
// published schema, and validates the apps' operations against what this stand-in serves.
//
// The extensions are declared here, not imported from the apps: a stand-in that built its schema
// from the code it tests would agree with that code by construction.

export const publishedSubsetSdl = /* GraphQL */ `
  schema {
    query: Query
    mutation: Mutation
  }

  interface Error {
    message: String!
  }

  interface Node {
    id: ID!
  }

  scalar Decimal
  scalar UUID

  enum BasicDuration {
    P30D
    P365D
    P7D
  }

  enum PriceTierStatus {
    ACTIVE
    ARCHIVED
    DELETED
    INACTIVE
  }

  enum SortEnumType {
    ASC
    DESC
  }

  type Query {
    client(id: ID!): Client
    clientByCustomerId(customerId: String!): Client
    clientByPhoneNumber(phoneNumber: String!): Client
    paymentConfirmationByCode(confirmationCode: String!): PaymentConfirmation
    planByForeignId(id: String!): Plan
    plans(after: String, before: String, first: Int, last: Int, where: PlanFilterInput): PlansConnection
    planSubscriptions(after: String, before: String, first: Int, last: Int, where: PlanSubscriptionFilterInput): PlanSubscriptionsConnection
    priceTierByForeignId(id: String!): PriceTier
    subscriberByPhoneNumber(phoneNumber: String!): Subscriber
  }

  type Mutation {
    createPaymentConfirmation(input: CreatePaymentConfirmationInput!): CreatePaymentConfirmationPayload!
    createPlanSubscription(input: CreatePlanSubscriptionInput!): CreatePlanSubscriptionPayload!
    deletePlan(input: DeletePlanInput!): DeletePlanPayload!
    deletePriceTier(input: DeletePriceTierInput!): DeletePriceTierPayload!
    patchPlan(input: PatchPlanInput!): PatchPlanPayload!
    patchPriceTier(input: PatchPriceTierInput!): PatchPriceTierPayload!
  }

  type PageInfo {
    endCursor: String
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
  }

  type Client implements Node {
    customerId: String
    id: ID!
    locale: String
    name: String!
    slug: String!
    subscribers(after: String, before: String, first: Int, last: Int, order: [SubscriberSortInput!]): SubscribersConnection
    subscription: PlanSubscription
  }

  type ClientsConnection {
    edges: [ClientsEdge!]
    nodes: [Client!]
    pageInfo: PageInfo!
  }

  type ClientsEdge {
    cursor: String!
    node: Client!
  }

  type Subscriber implements Node {
    clients(after: String, before: String, first: Int, last: Int, order: [ClientSortInput!]): ClientsConnection
    id: ID!
    locale: String
  }

  type SubscribersConnection {
    edges: [SubscribersEdge!]
    nodes: [Subscriber!]
    pageInfo: PageInfo!
  }

  type SubscribersEdge {
    cursor: String!
    node: Subscriber!
  }

  type PaymentConfirmation implements Node {
    confirmationCode: String!
    id: ID!
  }

  type Plan implements Node {
    description: String
    foreignServiceId: String
    iconUrl: String
    id: ID!
    isActive: Boolean
    name: String!
    priceTiers: [PriceTier!]!
  }

  type PlansConnection {
    edges: [PlansEdge!]
    nodes: [Plan!]
    pageInfo: PageInfo!
  }

  type PlansEdge {
    cursor: String!
    node: Plan!
  }

  type PriceTier implements Node {
    foreignServiceId: String
    id: ID!
    name: String!
    planId: ID!
    price: Decimal!
    status: PriceTierStatus!
  }

  type PlanSubscription implements Node {
    id: ID!
    paymentConfirmationId: UUID!
    priceTier: PriceTier
    status: String
  }

  type PlanSubscriptionsConnection {
    edges: [PlanSubscriptionsEdge!]
    nodes: [PlanSubscription!]
    pageInfo: PageInfo!
  }

  type PlanSubscriptionsEdge {
    cursor: String!
    node: PlanSubscription!
  }

  type CreatePaymentConfirmationPayload {
    paymentConfirmation: PaymentConfirmation
  }

  type CreatePlanSubscriptionPayload {
    errors: [CreatePlanSubscriptionError!]
    planSubscription: PlanSubscription
  }

  type DeletePlanPayload {
    errors: [DeletePlanError!]
    plan: Plan
  }

  type DeletePriceTierPayload {
    errors: [DeletePriceTierError!]
    plan: Plan
  }

  type PatchPlanPayload {
    errors: [PatchPlanError!]
    plan: Plan
  }

  type PatchPriceTierPayload {
    errors: [PatchPriceTierError!]
    plan: Plan
  }

  type UnsubscribeFromClientPayload {
    client: Client
    errors: [UnsubscribeFromClientError!]
  }

  type ClientNotFoundError implements Error {
    message: String!
  }

  type NotSubscribedError implements Error {
    message: String!
  }

  type PlanCreationError implements Error {
    message: String!
  }

  type PlanDeleteError implements Error {
    message: String!
  }

  type PlanNotFoundError implements Error {
    message: String!
    planId: Int!
  }

  type PlanUpdateError implements Error {
    message: String!
    planId: Int!
  }

  type PriceTierDeleteError implements Error {
    message: String!
    priceTierId: Int!
  }

  type PriceTierNotFoundError implements Error {
    message: String!
  }

  type PriceTierUpdateError implements Error {
    message: String!
    priceTierId: Int!
  }

  union CreatePlanSubscriptionError = PlanCreationError

  union DeletePlanError = PlanNotFoundError | PlanDeleteError

  union DeletePriceTierError = PriceTierNotFoundError | PriceTierDeleteError

  union PatchPlanError = PlanUpdateError | PlanNotFoundError

  union PatchPriceTierError = PriceTierNotFoundError | PriceTierUpdateError

  union UnsubscribeFromClientError = NotSubscribedError | ClientNotFoundError

  input ClientSortInput {
    id: SortEnumType
    name: SortEnumType
  }

  input SubscriberSortInput {
    id: SortEnumType
  }

  input IntOperationFilterInput {
    eq: Int
  }

  input UuidOperationFilterInput {
    eq: UUID
  }

  input PlanFilterInput {
    id: IntOperationFilterInput
  }

  input PlanSubscriptionFilterInput {
    paymentConfirmationId: UuidOperationFilterInput
  }

  input CreatePaymentConfirmationInput {
    confirmationId: String!
    merchantServiceId: Int!
  }

  input CreatePlanSubscriptionInput {
    clientId: String!
    paymentConfirmationId: String!
    priceTierForeignServiceId: String!
  }

  input DeletePlanInput {
    id: ID!
  }

  input DeletePriceTierInput {
    id: ID!
  }

  input PatchPlanInput {
    description: String
    foreignServiceId: String
    iconUrl: String
    id: Int!
    isActive: Boolean
    name: String
    priceTiers: [PatchPlanPriceTierInput!]
  }

  input PatchPlanPriceTierInput {
    description: String
    duration: BasicDuration
    foreignServiceId: String
    iconUrl: String
    id: ID
    name: String
    price: Decimal
    status: PriceTierStatus
  }

  input PatchPriceTierInput {
    description: String
    foreignServiceId: String
    iconUrl: String
    id: ID!
    name: String
    price: Decimal
    status: String
  }
`;

/**
 * What the stand-in serves beyond the published schema: the two additions the project asks the
 * Nudges gateway for (docs/gateway.md, "Extensions to the published schema"), written from that
 * list. The contract test fails when the apps' operations need something this does not serve.
 */
export const projectExtensionsSdl = /* GraphQL */ `
  extend type Subscriber {
    phoneNumber: String
  }

  input UnsubscribeSubscriberFromClientInput {
    clientId: ID!
    subscriberId: ID!
  }

  extend type Mutation {
    unsubscribeSubscriberFromClient(input: UnsubscribeSubscriberFromClientInput!): UnsubscribeFromClientPayload!
  }
`;

/** What the test gateway serves. */
export const testGatewaySdl = `${publishedSubsetSdl}\n${projectExtensionsSdl}`;
