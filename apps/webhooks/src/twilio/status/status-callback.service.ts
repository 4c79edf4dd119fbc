import { Injectable, Logger } from '@nestjs/common';
import { BroadcastDeliveryStore } from '@app/shared/broadcast/broadcast-delivery.store.js';
import { labelWebhookRequest } from '../../metrics/webhook-observation.js';
import { broadcastOutcomeOf, isFinalStatus, type StatusCallback } from './message-status.js';
import { MessageStatusMetrics } from './message-status.metrics.js';
import { MessageStatusStore } from './message-status.store.js';

/**
 * Records what a status callback says: a message's final status once (metrics by status and error
 * code), and, for a broadcast's message, its outcome in the broadcast's delivery counts. Both
 * records are idempotent, so a repeated or retried callback changes nothing.
 */
@Injectable()
export class StatusCallbackService {
  private readonly logger = new Logger(StatusCallbackService.name);

  constructor(
    private readonly statuses: MessageStatusStore,
    private readonly broadcasts: BroadcastDeliveryStore,
    private readonly metrics: MessageStatusMetrics,
  ) {}

  async record(callback: StatusCallback): Promise<void> {
    labelWebhookRequest({ type: callback.status });
    this.metrics.callbackReceived(callback.status);
    if (callback.status === 'unknown' || !isFinalStatus(callback.status)) {
      labelWebhookRequest({ outcome: 'intermediate' });
      return;
    }
    const kept = await this.statuses.recordFinal(callback.messageSid, callback.status, callback.errorCode);
    if (kept.first) {
      this.metrics.finalStatus(kept.status, kept.errorCode);
      if (kept.status !== 'delivered' && kept.status !== 'read') {
        this.logger.log({ msg: 'message not delivered', messageSid: callback.messageSid, status: kept.status, errorCode: kept.errorCode });
      }
    }
    // Also when not first: a retry after a failure between the two records must still count it.
    if (callback.broadcastId !== undefined) {
      await this.broadcasts.record(callback.broadcastId, { messageId: callback.messageSid, outcome: broadcastOutcomeOf(kept.status) });
    }
    labelWebhookRequest({ outcome: kept.first ? 'recorded' : 'duplicate' });
  }
}
