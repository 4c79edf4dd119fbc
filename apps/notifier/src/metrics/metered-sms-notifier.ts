import { performance } from 'node:perf_hooks';
import type { OutgoingSms, SentSms, SmsLogContext, SmsNotifier } from '../notifiers/sms-notifier.js';
import type { NotifierMetrics } from './notifier-metrics.js';

/** The notifier with each send request's duration and failure recorded (`send_duration_seconds`, `twilio_errors_total`). */
export function meteredSmsNotifier(notifier: SmsNotifier, metrics: Pick<NotifierMetrics, 'sendTook'>): SmsNotifier {
  const send = async (sms: OutgoingSms, context: SmsLogContext): Promise<SentSms> => {
    const started = performance.now();
    try {
      const sent = await notifier.send(sms, context);
      metrics.sendTook(notifier.kind, (performance.now() - started) / 1000);
      return sent;
    } catch (err) {
      metrics.sendTook(notifier.kind, (performance.now() - started) / 1000, err);
      throw err;
    }
  };
  return {
    kind: notifier.kind,
    send,
    // Only when the notifier has one: the ledger indexes provider ids only for notifiers that look up.
    ...(notifier.findEarlierSend ? { findEarlierSend: notifier.findEarlierSend.bind(notifier) } : {}),
    close: () => notifier.close?.(),
  };
}
