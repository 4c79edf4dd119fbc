// Every GraphQL document the service sends to the Nudges gateway. Each must validate against the
// gateway's published schema plus ./schema-extensions.ts (checked by operations.contract.spec.ts).
// Node-type ids (`id: ID!`) are opaque global ids; see ./node-id.ts for the inputs that want keys.
import { gql } from '@apollo/client';

/** A mutation's business errors (HotChocolate mutation conventions): each implements `Error`. */
const MUTATION_ERROR_FIELDS = gql`
  fragment MutationErrorFields on Error {
    message
  }
`;

const PRICE_TIER_FIELDS = gql`
  fragment PriceTierFields on PriceTier {
    id
    name
    price
    status
    foreignServiceId
    planId
  }
`;

const PLAN_FIELDS = gql`
  fragment PlanFields on Plan {
    id
    name
    description
    iconUrl
    isActive
    foreignServiceId
    priceTiers {
      ...PriceTierFields
    }
  }
  ${PRICE_TIER_FIELDS}
`;

const PLAN_SUBSCRIPTION_FIELDS = gql`
  fragment PlanSubscriptionFields on PlanSubscription {
    id
    status
    paymentConfirmationId
    priceTier {
      id
      foreignServiceId
    }
  }
`;

// ---------------------------------------------------------------- Stripe flows

export const CLIENT_BY_CUSTOMER_ID = gql`
  query ClientByCustomerId($customerId: String!) {
    clientByCustomerId(customerId: $customerId) {
      id
      name
      customerId
      subscription {
        ...PlanSubscriptionFields
      }
    }
  }
  ${PLAN_SUBSCRIPTION_FIELDS}
`;

export const PAYMENT_CONFIRMATION_BY_CODE = gql`
  query PaymentConfirmationByCode($confirmationCode: String!) {
    paymentConfirmationByCode(confirmationCode: $confirmationCode) {
      id
      confirmationCode
    }
  }
`;

export const CREATE_PAYMENT_CONFIRMATION = gql`
  mutation CreatePaymentConfirmation($input: CreatePaymentConfirmationInput!) {
    createPaymentConfirmation(input: $input) {
      paymentConfirmation {
        id
        confirmationCode
      }
    }
  }
`;

export const PLAN_SUBSCRIPTION_BY_PAYMENT_CONFIRMATION = gql`
  query PlanSubscriptionByPaymentConfirmation($paymentConfirmationId: UUID!) {
    planSubscriptions(first: 1, where: { paymentConfirmationId: { eq: $paymentConfirmationId } }) {
      nodes {
        ...PlanSubscriptionFields
      }
    }
  }
  ${PLAN_SUBSCRIPTION_FIELDS}
`;

export const CREATE_PLAN_SUBSCRIPTION = gql`
  mutation CreatePlanSubscription($input: CreatePlanSubscriptionInput!) {
    createPlanSubscription(input: $input) {
      planSubscription {
        ...PlanSubscriptionFields
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${PLAN_SUBSCRIPTION_FIELDS}
  ${MUTATION_ERROR_FIELDS}
`;

export const PLAN_BY_ID = gql`
  query PlanById($id: Int!) {
    plans(first: 1, where: { id: { eq: $id } }) {
      nodes {
        ...PlanFields
      }
    }
  }
  ${PLAN_FIELDS}
`;

export const PLAN_BY_FOREIGN_ID = gql`
  query PlanByForeignId($id: String!) {
    planByForeignId(id: $id) {
      ...PlanFields
    }
  }
  ${PLAN_FIELDS}
`;

export const PATCH_PLAN = gql`
  mutation PatchPlan($input: PatchPlanInput!) {
    patchPlan(input: $input) {
      plan {
        ...PlanFields
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${PLAN_FIELDS}
  ${MUTATION_ERROR_FIELDS}
`;

export const DELETE_PLAN = gql`
  mutation DeletePlan($input: DeletePlanInput!) {
    deletePlan(input: $input) {
      plan {
        id
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${MUTATION_ERROR_FIELDS}
`;

export const PRICE_TIER_BY_FOREIGN_ID = gql`
  query PriceTierByForeignId($id: String!) {
    priceTierByForeignId(id: $id) {
      ...PriceTierFields
    }
  }
  ${PRICE_TIER_FIELDS}
`;

export const PATCH_PRICE_TIER = gql`
  mutation PatchPriceTier($input: PatchPriceTierInput!) {
    patchPriceTier(input: $input) {
      plan {
        id
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${MUTATION_ERROR_FIELDS}
`;

export const DELETE_PRICE_TIER = gql`
  mutation DeletePriceTier($input: DeletePriceTierInput!) {
    deletePriceTier(input: $input) {
      plan {
        id
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${MUTATION_ERROR_FIELDS}
`;

// ---------------------------------------------------------------- Twilio flows

export const CLIENT_BY_PHONE_NUMBER = gql`
  query ClientByPhoneNumber($phoneNumber: String!) {
    clientByPhoneNumber(phoneNumber: $phoneNumber) {
      id
      name
      slug
      locale
      subscription {
        id
        status
      }
    }
  }
`;

/** The subscriber and one page of its clients, ordered by name then id so that UNSUB <n> is stable. */
export const SUBSCRIBER_BY_PHONE_NUMBER = gql`
  query SubscriberByPhoneNumber($phoneNumber: String!, $first: Int!, $after: String) {
    subscriberByPhoneNumber(phoneNumber: $phoneNumber) {
      id
      locale
      clients(first: $first, after: $after, order: [{ name: ASC }, { id: ASC }]) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          name
        }
      }
    }
  }
`;

/** Uses the `Subscriber.phoneNumber` extension. */
export const CLIENT_SUBSCRIBERS_PAGE = gql`
  query ClientSubscribersPage($clientId: ID!, $first: Int!, $after: String) {
    client(id: $clientId) {
      id
      subscribers(first: $first, after: $after, order: [{ id: ASC }]) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          locale
          phoneNumber
        }
      }
    }
  }
`;

/** Uses the `unsubscribeSubscriberFromClient` extension. */
export const UNSUBSCRIBE_SUBSCRIBER_FROM_CLIENT = gql`
  mutation UnsubscribeSubscriberFromClient($input: UnsubscribeSubscriberFromClientInput!) {
    unsubscribeSubscriberFromClient(input: $input) {
      client {
        id
      }
      errors {
        __typename
        ...MutationErrorFields
      }
    }
  }
  ${MUTATION_ERROR_FIELDS}
`;
