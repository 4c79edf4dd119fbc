/**
 * Redis keys the webhooks app, the broadcaster and the CLI share (all under REDIS_KEY_PREFIX,
 * which ioredis adds). Kept in one place because two apps write them and a third reads them.
 */

/** A client's pending announcement draft (plain E.164 number of the client). */
export const draftKey = (phoneNumber: string): string => `announcement:${phoneNumber}`;

/**
 * The broadcast id a draft keeps after a CONFIRM whose record Kafka may or may not have taken (a
 * timeout): the next CONFIRM of the same draft reuses it, so the broadcaster drops one of the two.
 */
export const pendingBroadcastKey = (phoneNumber: string): string => `broadcast:pending:${phoneNumber}`;

/** The broadcast a CONFIRM (by Twilio MessageSid) started, so a retry of it finds the same broadcast. */
export const confirmationKey = (messageSid: string): string => `broadcast:confirmation:${messageSid}`;

/** Who tells the client how a broadcast ended: the CONFIRM reply or a later SMS (see BroadcastReport). */
export const reportKey = (broadcastId: string): string => `broadcast:${broadcastId}:report`;

/** Pushed once a broadcast's last transaction committed; the waiting CONFIRM blocks on it. */
export const finishedSignalKey = (broadcastId: string): string => `broadcast:${broadcastId}:finished`;

/** The broadcasts-topic offset whose request record started a broadcast (duplicate requests are dropped). */
export const originKey = (broadcastId: string): string => `broadcast:${broadcastId}:origin`;

/** The status view of one broadcast (a hash), for `broadcast show` and metrics. */
export const statusKey = (broadcastId: string): string => `broadcast:${broadcastId}:status`;

/** Every broadcast by request time (a sorted set), for `broadcast list`. */
export const STATUS_INDEX_KEY = 'broadcasts:by-request-time';
