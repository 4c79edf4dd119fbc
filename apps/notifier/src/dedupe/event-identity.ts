// Moved to the shared library: the CLI's DLQ replay needs the same identity headers.
export { MESSAGE_ID_HEADERS, eventIdentity } from '@app/shared/kafka/event-identity.js';
