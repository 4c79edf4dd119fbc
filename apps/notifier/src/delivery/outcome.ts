import type { DeadLetterReasonCode } from '@app/shared/codec/messages.js';

export type DeadLetterCategory = 'poison' | 'permanent' | 'retries-exhausted';

/** Everything a notification can end in. `settled: false` leaves its offset uncommitted. */
export type Outcome =
  | { settled: true; kind: 'delivered'; providerId: string; attempts: number; foundInProviderLog: boolean }
  | { settled: true; kind: 'duplicate'; providerId: string }
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
