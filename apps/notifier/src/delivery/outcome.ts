import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';

export type DeadLetterCategory = 'poison' | 'permanent' | 'retries-exhausted';

/** Everything a notification can end in. `settled: false` leaves its offset uncommitted. */
export type Outcome =
  | { settled: true; kind: 'delivered'; providerId: string; attempts: number; foundInProviderLog: boolean }
  | { settled: true; kind: 'duplicate'; providerId: string }
  /** Expected traffic on the topic that is not an SMS (client events and notifications). */
  | { settled: true; kind: 'skipped'; type: string }
  /** Older than the age limit of its kind: not sent. */
  | { settled: true; kind: 'stale'; ageMs: number }
  /** Twilio refused it because the recipient opted out (21610): expected, recorded, not dead-lettered. */
  | { settled: true; kind: 'opted-out' }
  | {
      settled: true;
      kind: 'dead-lettered';
      category: DeadLetterCategory;
      reasonCode: DeadLetterReasonCode;
      attempts: number;
      deadLetterId: string;
    }
  | { settled: false; kind: 'abandoned' };

export type OutcomeKind = Outcome['kind'];
