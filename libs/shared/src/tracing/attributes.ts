// Semantic-convention attribute names. The stable ones come from the package; messaging and RPC
// names are still "incubating" there, and the conventions ask users to copy those rather than
// import the unstable entry point.
export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_RPC_SYSTEM = 'rpc.system';
export const ATTR_RPC_SERVICE = 'rpc.service';
export const ATTR_RPC_METHOD = 'rpc.method';
export const ATTR_RPC_GRPC_STATUS_CODE = 'rpc.grpc.status_code';
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';

// This project's own attributes (never phone numbers, message bodies, secrets or tokens).
export const ATTR_WEBHOOK_ENDPOINT = 'nudges.webhook.endpoint';
export const ATTR_STRIPE_EVENT_TYPE = 'nudges.stripe.event_type';
export const ATTR_STRIPE_EVENT_ID = 'nudges.stripe.event_id';
export const ATTR_STRIPE_OPERATION = 'nudges.stripe.operation';
export const ATTR_TWILIO_COMMAND = 'nudges.twilio.command';
export const ATTR_TWILIO_MESSAGE_SID = 'nudges.twilio.message_sid';
export const ATTR_LOCALIZATION_RESOURCE_KEY = 'nudges.localization.resource_key';
export const ATTR_DELIVERY_OUTCOME = 'nudges.delivery.outcome';
