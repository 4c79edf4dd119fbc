import {
  BROADCAST_COMPLETED,
  BROADCAST_FAILED,
  BROADCAST_PAGE,
  BROADCAST_REQUESTED,
  decodeBroadcastRecord,
  encodeBroadcastKey,
  encodeBroadcastRecord,
  initialProgress,
  type BroadcastRecord,
  type BroadcastRequest,
} from './broadcast-records.js';

const request: BroadcastRequest = {
  broadcastId: '0f8c6a52-2f0e-4a55-9d0b-1c1e2b3a4d5e',
  clientId: 'Q2xpZW50OjE=',
  clientName: 'Acme Café "best"',
  clientPhoneNumber: '+15550001001',
  clientLocale: 'es-ES',
  link: 'https://app.example.com/acme',
  text: 'Sale 🎉 <today>\nonly',
  requestedAt: '2026-12-07T05:00:00.000Z',
};
const progress = {
  ...initialProgress(),
  cursor: 'MTk5',
  sent: 198,
  skipped: 1,
  optedOut: 1,
  pages: 4,
  startedAt: '2026-12-07T05:00:00.100Z',
};

describe('broadcasts-topic records', () => {
  const records: BroadcastRecord[] = [
    { type: BROADCAST_REQUESTED, request },
    { type: BROADCAST_PAGE, request, progress },
    { type: BROADCAST_COMPLETED, request, progress: { ...progress, cursor: 'MjAw' }, finishedAt: '2026-12-07T05:00:01.000Z' },
    {
      type: BROADCAST_FAILED,
      request,
      progress,
      finishedAt: '2026-12-07T05:00:01.000Z',
      reason: 'the subscriber list could not be read (ClientNotFoundError)',
      resumable: true,
    },
  ];

  it.each(records.map((r) => [r.type, r] as const))('%s reads back as written', (_type, record) => {
    expect(decodeBroadcastRecord(encodeBroadcastRecord(record))).toEqual({ ok: true, record });
    expect(decodeBroadcastRecord(Buffer.from(encodeBroadcastRecord(record), 'utf8'))).toEqual({ ok: true, record });
  });

  it('is written PascalCase with $type first, the request before the progress', () => {
    const text = encodeBroadcastRecord(records[1]!);
    expect(text.startsWith('{"$type":"broadcast.page","BroadcastId":')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      '$type',
      'BroadcastId',
      'ClientId',
      'ClientName',
      'ClientPhoneNumber',
      'ClientLocale',
      'Link',
      'Text',
      'RequestedAt',
      'Cursor',
      'Sent',
      'Skipped',
      'OptedOut',
      'Pages',
      'StartedAt',
    ]);
    expect(encodeBroadcastKey(request.broadcastId)).toBe(`{"BroadcastId":"${request.broadcastId}"}`);
  });

  it('refuses what is not a record of ours, with a reason, never throwing', () => {
    expect(decodeBroadcastRecord(null)).toEqual({ ok: false, reason: 'empty value' });
    expect(decodeBroadcastRecord('{not json')).toEqual({ ok: false, reason: 'not JSON' });
    // Deliberately camelCase: the reader is as case-sensitive as the C# ones and must refuse it.
    const camel = JSON.stringify({ $type: 'broadcast.requested', broadcastId: request.broadcastId });
    expect(decodeBroadcastRecord(camel)).toMatchObject({ ok: false, reason: expect.stringContaining('BroadcastId') });
    const unknown = encodeBroadcastRecord(records[0]!).replace('broadcast.requested', 'broadcast.exploded');
    expect(decodeBroadcastRecord(unknown).ok).toBe(false);
    const negative = encodeBroadcastRecord(records[1]!).replace('"Sent":198', '"Sent":-1');
    expect(decodeBroadcastRecord(negative).ok).toBe(false);
  });
});
