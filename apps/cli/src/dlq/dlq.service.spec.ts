import { createDeadLetterRecord } from '@app/shared/codec/dead-letter.js';
import { CliUsageError } from '../cli.errors.js';
import type { DeadLetterEntry } from './dead-letter-format.js';
import { DlqService, reasonMatches, replayTargetOf } from './dlq.service.js';

const record = (id: string, extra: Partial<Parameters<typeof createDeadLetterRecord>[0]> = {}) =>
  createDeadLetterRecord({ id, source: 'notifier', reasonCode: 'poison.invalid-json', reason: 'r', attempts: 1, original: { topic: 't', key: null, value: 'x' }, ...extra });
const entry = (id: string): DeadLetterEntry => ({ partition: 0, offset: '0', status: { state: 'none' }, record: record(id) });

describe('dead-letter selection', () => {
  it.each([
    ['twilio.21211', 'twilio.21211', true],
    ['twilio.21211', 'twilio.21610', false],
    ['twilio.21211', 'twilio.*', true],
    ['poison.invalid-json', 'twilio.*', false],
    ['retries-exhausted', '*', true],
    ['twilio.21211', 'twilio', false],
  ])('reason %s matches %s: %s', (code, pattern, expected) => {
    expect(reasonMatches(code, pattern)).toBe(expected);
  });

  it('finds by id or by an unambiguous prefix of at least 8 characters', () => {
    const entries = [entry('0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40'), entry('0b7c4e2a-1111-4d6b-8a21-5c3e7f9d1b40'), entry('9a7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40')];
    expect(DlqService.find(entries, '9a7c4e2a')?.record.id).toBe('9a7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40');
    expect(DlqService.find(entries, '0b7c4e2a-9f13-4d6b-8a21-5c3e7f9d1b40')).toBe(entries[0]);
    expect(DlqService.find(entries, '9a7c')).toBeUndefined();
    expect(() => DlqService.find(entries, '0b7c4e2a')).toThrow(CliUsageError);
  });

  it('replays Kafka originals to their topic and Stripe webhook bodies through the handlers', () => {
    expect(replayTargetOf(record('a'))).toEqual({ kind: 'kafka', topic: 't' });
    const stripe = record('b', { source: 'webhooks', stripeEventId: 'evt_1', original: { key: null, value: '{}' } });
    expect(replayTargetOf(stripe)).toEqual({ kind: 'stripe', eventId: 'evt_1' });
    expect(replayTargetOf(record('c', { source: 'webhooks', original: { key: null, value: '{}' } }))).toBeNull();
  });
});
