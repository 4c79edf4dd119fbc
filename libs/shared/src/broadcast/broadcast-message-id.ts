import { MESSAGE_ID_HEADERS } from '../kafka/event-identity.js';

/** The header whose value is the identity under which the notifier records a delivery (`eventIdentity`). */
export const MESSAGE_ID_HEADER = MESSAGE_ID_HEADERS[0];

/**
 * The message id of a broadcast's SendSms to one subscriber. It is derived, not random, so that
 * every copy of that SendSms Kafka ends up holding (a produce request the client wrote twice, a
 * step redone after an ambiguous commit) is the same event to the notifier, which sends it once.
 */
export const broadcastMessageId = (broadcastId: string, subscriberId: string): string => `broadcast:${broadcastId}:${subscriberId}`;
