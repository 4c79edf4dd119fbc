/** A broadcast id as the fan-out writes it in the `nudges-broadcast-id` header. */
export const BROADCAST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const isBroadcastId = (value: unknown): value is string => typeof value === 'string' && BROADCAST_ID.test(value);

/** The Kafka header of a SendSms produced by the broadcast fan-out. */
export const BROADCAST_ID_HEADER = 'nudges-broadcast-id';
