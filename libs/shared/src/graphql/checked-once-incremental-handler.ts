import type { DocumentNode } from 'graphql';
import { NotImplementedHandler } from '@apollo/client/incremental';

/**
 * Apollo's default incremental handler (no @defer/@stream support) walks every request's document
 * to assert it has no such directive. The gateway operations are a fixed set of documents, so each
 * is checked once, the first time it is sent, with the same assertion.
 */
export class CheckedOnceIncrementalHandler extends NotImplementedHandler {
  private readonly checked = new WeakSet<DocumentNode>();

  override prepareRequest(request: Parameters<NotImplementedHandler['prepareRequest']>[0]) {
    if (this.checked.has(request.query)) return request;
    const prepared = super.prepareRequest(request);
    this.checked.add(request.query);
    return prepared;
  }
}
