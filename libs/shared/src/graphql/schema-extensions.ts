/**
 * What this project needs from the Nudges gateway beyond its published schema. Kept minimal, and
 * documented with reasons in docs/gateway.md; the test gateway (peers/gateway) implements it, and
 * the contract test checks that every operation validates against the published schema plus this.
 */
export const gatewaySchemaExtensions = /* GraphQL */ `
  # Announcement fan-out sends one SMS per subscriber, so it needs each subscriber's number.
  extend type Subscriber {
    "The subscriber's phone number as stored: E.164 (+15555550100) or the AES-GCM encrypted form. Admin only."
    phoneNumber: String
  }

  # Unsubscribes a subscriber from a client on the subscriber's behalf (the UNSUB <n> SMS command).
  "Which subscriber leaves which client."
  input UnsubscribeSubscriberFromClientInput {
    clientId: ID!
    subscriberId: ID!
  }

  # The published unsubscribeFromClient only acts for the calling subscriber (policy "subscriber").
  extend type Mutation {
    "Admin/service variant of unsubscribeFromClient, which only acts for the calling subscriber."
    unsubscribeSubscriberFromClient(input: UnsubscribeSubscriberFromClientInput!): UnsubscribeFromClientPayload!
  }
`;
