import { GatewayBusinessError, GatewayUnavailableError, type GatewayUnavailableReason } from '@app/shared/graphql/gateway.errors.js';
import type { SubscriberPage } from './subscriber-pager.js';

/** From the fan-out to the page-reading thread. */
export type PageReaderCommand =
  /** `trace`: the W3C headers of the step that opens the stream; its page requests are spans under that step. */
  | { type: 'open'; stream: number; clientId: string; pageSize: number; after: string | null; ahead: number; trace: Record<string, string> }
  /** The fan-out took a page of `stream`: the thread may hand over one more. */
  | { type: 'take'; stream: number }
  | { type: 'close'; stream: number }
  /** Before the thread is stopped: export the spans it still holds, then answer `flushed`. */
  | { type: 'flush' };

/** From the page-reading thread to the fan-out. */
export type PageReaderEvent =
  { type: 'page'; stream: number; page: SubscriberPage } | { type: 'error'; stream: number; error: WireError } | { type: 'flushed' };

/**
 * A gateway error as it crosses the thread boundary: structured cloning keeps an Error's message
 * but not its class, and the fan-out tells a permanent refusal from a transient failure by class.
 */
export type WireError =
  | { kind: 'business'; operation: string; errorType: string; message: string }
  | { kind: 'unavailable'; operation: string; reason: GatewayUnavailableReason; status?: number; message: string }
  | { kind: 'other'; message: string };

export function toWireError(error: unknown): WireError {
  if (error instanceof GatewayBusinessError) {
    return { kind: 'business', operation: error.operation, errorType: error.errorType, message: error.message };
  }
  if (error instanceof GatewayUnavailableError) {
    return { kind: 'unavailable', operation: error.operation, reason: error.reason, status: error.status, message: error.message };
  }
  return { kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(error: WireError): Error {
  switch (error.kind) {
    case 'business':
      return new GatewayBusinessError(error.operation, error.errorType, detailOf(error.message));
    case 'unavailable':
      return new GatewayUnavailableError(error.operation, error.reason, detailOf(error.message), error.status);
    default:
      return new Error(`page reading failed: ${error.message}`);
  }
}

/** The detail the error was built with: its message after "Gateway <operation> <verb> (<type>): ". */
const detailOf = (message: string): string => {
  const at = message.indexOf('): ');
  return at < 0 ? message : message.slice(at + 3);
};
