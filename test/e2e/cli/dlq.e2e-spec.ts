// `dlq list | show | replay` against the real Kafka and Redis: dead-letter records of both origins
// (ours, written with the shared codec; C# handlers', as hand-written System.Text.Json bytes) in a
// topic of this run, replays read back byte for byte from the notifications topic.
import { jest } from '@jest/globals';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { createDeadLetter, encodeDeadLetter, type DeadLetterInput } from '@app/shared/codec/dead-letter.js';
import { decodeNotification } from '@app/shared/codec/decode.js';
import { encodeDeadLetterKey } from '@app/shared/codec/keys.js';
import type { DeadLetterKey, DeadLetterRecord } from '@app/shared/codec/messages.js';
import { isSendSms, sendSmsRecipient } from '@app/shared/codec/send-sms.js';
import { eventIdentity } from '@app/shared/kafka/event-identity.js';
import { CapturedOutput } from '../../../apps/cli/src/cli-output.js';
import { CliUsageError } from '../../../apps/cli/src/cli.errors.js';
import { withDlq } from '../../../apps/cli/src/cli.runners.js';
import type { DlqCli } from '../../../apps/cli/src/dlq/dlq.cli.js';
import { readLikeCSharpOrThrow } from '../../support/csharp/strict-reader.js';
import { DEAD_LETTER_CSHARP } from '../../support/csharp/vectors.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { createTopics, ensureCliBuilt, RawReader, runCli, text, topicSize, type RawMessage } from '../../support/cli/cli-support.js';

jest.setTimeout(60_000);

const PHONE = '+15555550100';
const SEND_SMS_KEY = '{"EventType":"SendSms"}';
const sendSms = (phone: string) =>
  `{"$type":"notification.sendSms","PhoneNumber":"${phone}","ResourceKey":"WelcomeMessage","Locale":"en-US","Replacements":{}}`;

// ---- C#-written dead letters, typed out as DlqHelper's System.Text.Json writes them ----
// (default options: PascalCase in DeadLetterEvent's declared order; JavaScriptEncoder.Default, so
// inside a string `"` is \u0022, `+` \u002B, `'` \u0027, `&` \u0026, a backtick \u0060, non-ASCII
// \uXXXX; OriginalValueJson is itself such JSON text, so its own escapes gain a second backslash.)

const C_SHARP_PHONE = '+15555550123';
const CS_SMS_ID = '019b3a1c-7d2e-7f40-9a3b-5c6d7e8f9012';
const CS_NO_RECIPIENT_ID = '019b3a1c-7d2f-7c11-8b2a-0f1e2d3c4b5a';

const csKey = (id: string, failedId: string) =>
  String.raw`{"EventKey":{"Type":"MessageFailed","Id":"${id}"},"FailedKey":{"Type":"NotificationKey(EventType=SendSms)","Id":"${failedId}"}}`;

/** A SendSms the Twilio call refused (current generation: the phone in the value). */
const csSmsValue = (topic: string) =>
  String.raw`{"ExceptionType":"Twilio.Exceptions.ApiException",` +
  String.raw`"ExceptionMessage":"The \u0027To\u0027 number \u002B15555550123 is not a valid phone number.",` +
  String.raw`"StackTrace":"   at Twilio.Clients.TwilioRestClient.ProcessResponse(Response response)\n   at KafkaConsumer.Middleware.NotificationMessageMiddleware.HandleMessageAsync(ConsumeResult\u00602 cr, CancellationToken cancellationToken) in /src/dotnet/KafkaConsumer/Middleware/NotificationMessageMiddleware.cs:line 41\n   at Nudges.Kafka.Middleware.MessageProcessor\u00602.ProcessAsync(ConsumeResult\u00602 result, CancellationToken cancellationToken)",` +
  String.raw`"InnerExceptionType":"System.Net.Http.HttpRequestException",` +
  String.raw`"InnerExceptionMessage":"Response status code does not indicate success: 400 (Bad Request) for 15555550123.",` +
  String.raw`"InnerExceptionStackTrace":"   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()",` +
  String.raw`"Topic":"${topic}",` +
  String.raw`"EventKey":{"Type":"MessageFailed","Id":"${CS_SMS_ID}"},"Timestamp":"2026-03-04T05:06:03.5000001+00:00",` +
  String.raw`"OriginalKeyJson":"{\u0022EventType\u0022:\u0022SendSms\u0022}",` +
  String.raw`"OriginalValueJson":"{\u0022$type\u0022:\u0022notification.sendSms\u0022,\u0022PhoneNumber\u0022:\u0022\\u002B15555550123\u0022,\u0022ResourceKey\u0022:\u0022WelcomeMessage\u0022,\u0022Locale\u0022:\u0022es-ES\u0022,\u0022Replacements\u0022:{\u0022name\u0022:\u0022Jos\\u00E9 \\u0026 Co\u0022}}",` +
  String.raw`"OriginalHeaders":{"traceparent":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},"AttemptCount":3,"FailureType":2}`;
/** What the C# handler kept of that SendSms: the text inside OriginalValueJson, unescaped once. */
const CS_SMS_ORIGINAL_VALUE = String.raw`{"$type":"notification.sendSms","PhoneNumber":"\u002B15555550123","ResourceKey":"WelcomeMessage","Locale":"es-ES","Replacements":{"name":"Jos\u00E9 \u0026 Co"}}`;

/**
 * An earlier-generation SendSms (the phone was the key's EventKey) that the C# handler failed on:
 * its NotificationKey has no EventKey member, so OriginalKeyJson lost the phone, and the value's
 * PhoneNumber is null. Nothing names the recipient any more.
 */
const csNoRecipientValue = (topic: string) =>
  String.raw`{"ExceptionType":"System.ArgumentNullException",` +
  String.raw`"ExceptionMessage":"Value cannot be null. (Parameter \u0027PhoneNumber\u0027)",` +
  String.raw`"StackTrace":"   at System.ArgumentNullException.Throw(String paramName)",` +
  String.raw`"InnerExceptionType":null,"InnerExceptionMessage":null,"InnerExceptionStackTrace":null,` +
  String.raw`"Topic":"${topic}",` +
  String.raw`"EventKey":{"Type":"MessageFailed","Id":"${CS_NO_RECIPIENT_ID}"},"Timestamp":"2026-03-04T05:06:06.1234567+00:00",` +
  String.raw`"OriginalKeyJson":"{\u0022EventType\u0022:\u0022SendSms\u0022}",` +
  String.raw`"OriginalValueJson":"{\u0022$type\u0022:\u0022notification.sendSms\u0022,\u0022PhoneNumber\u0022:null,\u0022ResourceKey\u0022:\u0022WelcomeMessage\u0022,\u0022Locale\u0022:\u0022en-US\u0022,\u0022Replacements\u0022:{}}",` +
  String.raw`"OriginalHeaders":null,"AttemptCount":1,"FailureType":2}`;

/** The golden vector's record id. Its Topic is `notifications`, not this run's notifications topic. */
const VECTOR_ID = (DEAD_LETTER_CSHARP.value.csharp.EventKey as { Id: string }).Id;

describe('dlq CLI', () => {
  const base = uniqueName('cli-dlq');
  const topics = { deadletter: `${base}-deadletter`, notifications: `${base}-notifications` };
  const env = {
    ...stackEnv(),
    KAFKA_TOPIC_DEADLETTER: topics.deadletter,
    KAFKA_TOPIC_NOTIFICATIONS: topics.notifications,
    REDIS_KEY_PREFIX: `${base}:`,
    LOG_LEVEL: 'warn',
  };
  let producer: Producer;
  let reader: RawReader;
  let failures = 0;

  // Four dead letters of our notifier, one stored twice, three of C# handlers, plus a record that
  // is not a dead letter.
  const twilio = ours('twilio.21211', `Twilio refused ${'+*******0100'} (21211)`, {
    partition: 2,
    offset: '42',
    key: SEND_SMS_KEY,
    value: sendSms(PHONE),
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'x-binary': Buffer.from([0xff, 0x00, 0x80]) },
  });
  const notUtf8 = ours('poison.invalid-utf8', 'value is not valid UTF-8', { key: null, value: Buffer.from([0xff, 0xfe, 0x7b]) });
  const notUtf8Too = ours('poison.invalid-utf8', 'value is not valid UTF-8', { key: SEND_SMS_KEY, value: Buffer.from([0xc3, 0x28]) });
  const exhausted = ours('retries-exhausted', 'Twilio unavailable after 5 attempts', {
    key: SEND_SMS_KEY,
    value: sendSms('+15555550177'),
    headers: { 'message-id': 'c-sharp-producer-0001' },
  });
  const csSms = { id: CS_SMS_ID, key: csKey(CS_SMS_ID, '019b3a1c-7d2e-7f40-9a3b-000000000001'), value: csSmsValue(topics.notifications) };
  const csNoRecipient = {
    id: CS_NO_RECIPIENT_ID,
    key: csKey(CS_NO_RECIPIENT_ID, '019b3a1c-7d2f-7c11-8b2a-000000000002'),
    value: csNoRecipientValue(topics.notifications),
  };

  function ours(
    reasonCode: string,
    reason: string,
    original: Partial<DeadLetterInput['original']>,
  ): { key: DeadLetterKey; record: DeadLetterRecord; id: string } {
    failures += 1;
    const deadLetter = createDeadLetter({
      failedAt: new Date(Date.UTC(2026, 2, 4, 5, 6, failures)),
      source: 'notifier',
      reasonCode,
      reason,
      attempts: 1,
      failureType: 2,
      topic: topics.notifications,
      original: { topic: topics.notifications, partition: 0, offset: '0', key: null, value: null, ...original },
    });
    return { ...deadLetter, id: deadLetter.record.eventKey.id };
  }

  const run = (work: (dlq: DlqCli) => Promise<number>) => withDlq(env, false, work);
  const replays = (id: string) => reader.read(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === id);
  const message = (d: { key: DeadLetterKey; record: DeadLetterRecord }, partition: number) => ({
    key: encodeDeadLetterKey(d.key),
    value: encodeDeadLetter(d.record),
    partition,
  });

  beforeAll(async () => {
    // The hand-written bytes are what a C# DeadLetterEvent reader reads.
    for (const bytes of [csSms.value, csNoRecipient.value])
      expect(readLikeCSharpOrThrow('DeadLetterEvent', bytes)).toMatchObject({ Topic: topics.notifications });
    // (C#'s EventKey binds only Type from JSON: its Id is get-only, so a C# reader makes up a new one.)
    expect(readLikeCSharpOrThrow('DeadLetterEventKey', csSms.key)).toMatchObject({
      EventKey: { Type: 'MessageFailed' },
      FailedKey: { Type: 'NotificationKey(EventType=SendSms)' },
    });

    await createTopics({ [topics.deadletter]: 2, [topics.notifications]: 3 });
    // Idempotent: a plain kafkajs producer may write a fresh topic's partitions twice (docs/reliability.md).
    producer = new Kafka({ clientId: base, brokers: env.Kafka__BrokerList.split(','), logLevel: logLevel.NOTHING }).producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await producer.send({
      topic: topics.deadletter,
      messages: [
        message(twilio, 0),
        message(notUtf8, 1),
        { value: 'not a dead letter', partition: 1 },
        { key: DEAD_LETTER_CSHARP.key.json, value: DEAD_LETTER_CSHARP.value.json, partition: 0 },
        message(notUtf8Too, 0),
        { key: csSms.key, value: csSms.value, partition: 1 },
        message(exhausted, 1),
        message(twilio, 1),
        { key: csNoRecipient.key, value: csNoRecipient.value, partition: 0 },
      ],
    });
    reader = await RawReader.start([topics.notifications]);
  });

  afterAll(async () => {
    await reader.stop();
    await producer.disconnect();
  });

  it('lists every dead letter once, oldest first, ours and C#-written, phone numbers masked, and warns about foreign records', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.list({}, out))).toBe(0);
    const [header, ...rows] = out.lines;
    expect(header).toMatch(/^ID\s+ORIGIN\s+SOURCE\s+REASON\s+ATTEMPTS\s+FAILED AT\s+ORIGINAL\s+REPLAYED$/);
    expect(rows.slice(0, 7).map((r) => r.split(/\s+/).slice(0, 2))).toEqual([
      [VECTOR_ID, 'csharp'],
      [twilio.id, 'edge'],
      [notUtf8.id, 'edge'],
      [notUtf8Too.id, 'edge'],
      [CS_SMS_ID, 'csharp'],
      [exhausted.id, 'edge'],
      [CS_NO_RECIPIENT_ID, 'csharp'],
    ]);
    expect(rows[1]).toMatch(
      new RegExp(
        `^${twilio.id}\\s+edge\\s+notifier\\s+twilio\\.21211\\s+1\\s+${twilio.record.timestamp.replace(/\./g, '\\.')}\\s+${topics.notifications}\\[2\\]@42\\s+-$`,
      ),
    );
    expect(rows[4]).toMatch(
      new RegExp(
        `^${CS_SMS_ID}\\s+csharp\\s+-\\s+Twilio\\.Exceptions\\.ApiException\\s+3\\s+2026-03-04T05:06:03\\.5000001\\+00:00\\s+${topics.notifications}\\s+-$`,
      ),
    );
    expect(rows[7]).toBe(`7 of 7 dead letter(s) in ${topics.deadletter}`);
    expect(out.warnings).toEqual([expect.stringMatching(/^not a dead-letter record at partition 1, offset \d+: invalid-json$/)]);
    expect(out.text).not.toContain(PHONE);
    expect(out.text).not.toContain('5555550123');

    const csharpOnly = new CapturedOutput();
    await run((dlq) => dlq.list({ origin: 'csharp', json: true }, csharpOnly));
    expect(csharpOnly.lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([VECTOR_ID, CS_SMS_ID, CS_NO_RECIPIENT_ID]);
  });

  it('filters by reason (with a prefix) and writes JSON lines', async () => {
    const out = new CapturedOutput();
    await run((dlq) => dlq.list({ reason: 'poison.*', json: true }, out));
    const listed = out.lines.map(
      (l) => JSON.parse(l) as { id: string; origin: string; original: { value: string | null; valueBytes: number; valueEncoding: string } },
    );
    expect(listed.map((e) => e.id)).toEqual([notUtf8.id, notUtf8Too.id]);
    expect(listed[0]).toMatchObject({ origin: 'edge', original: { value: null, valueBytes: 3, valueEncoding: 'base64' } });

    const byException = new CapturedOutput();
    await run((dlq) => dlq.list({ reason: 'Twilio.*', json: true }, byException));
    expect(byException.lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([CS_SMS_ID]);
  });

  it('shows one of our dead letters with its original decoded, by id or id prefix, never a full phone number', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.show(twilio.id.slice(0, 8), {}, out))).toBe(0);
    expect(out.lines).toEqual(
      expect.arrayContaining([
        `id:            ${twilio.id}`,
        'origin:        edge (written by this project)',
        'reason code:   twilio.21211',
        'reason:        Twilio refused +*******0100 (21211)',
        `original:      topic ${topics.notifications}, partition 2, offset 42`,
        `  key:         ${SEND_SMS_KEY}`,
        `  value:       ${sendSms('+*******0100')}`,
        '    traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        '    x-binary: <3 bytes, not UTF-8>',
        `replay:        to topic ${topics.notifications}`,
        'replayed:      no',
      ]),
    );
    expect(out.text).not.toContain(PHONE);

    const missing = new CapturedOutput();
    expect(await run((dlq) => dlq.show('00000000-0000-4000-8000-000000000000', {}, missing))).toBe(1);
    expect(missing.warnings).toEqual([`no dead letter 00000000-0000-4000-8000-000000000000 in ${topics.deadletter}`]);
  });

  it('shows a C#-written dead letter: every field, the exception and originals masked, no stack trace', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.show(CS_SMS_ID.slice(0, 13), {}, out))).toBe(0);
    expect(out.lines).toEqual([
      `id:            ${CS_SMS_ID}`,
      'origin:        csharp (written by a C# handler)',
      'exception:     Twilio.Exceptions.ApiException',
      "message:       The 'To' number +*******0123 is not a valid phone number.",
      'stack trace:   (stack trace omitted, 3 lines)',
      'inner:         System.Net.Http.HttpRequestException',
      'inner message: Response status code does not indicate success: 400 (Bad Request) for *******0123.',
      'inner stack:   (stack trace omitted, 1 line)',
      'failure type:  2 (Permanent)',
      'attempts:      3',
      'failed at:     2026-03-04T05:06:03.5000001+00:00',
      `topic:         ${topics.notifications}`,
      'failed key:    NotificationKey(EventType=SendSms)',
      expect.stringMatching(/^stored at: {5}partition 1, offset \d+$/),
      'original:      as the C# handler re-serialized it (OriginalKeyJson, OriginalValueJson, OriginalHeaders)',
      `  key:         ${SEND_SMS_KEY}`,
      String.raw`  value:       {"$type":"notification.sendSms","PhoneNumber":"\u002B*******0123","ResourceKey":"WelcomeMessage","Locale":"es-ES","Replacements":{"name":"Jos\u00E9 \u0026 Co"}}`,
      '  headers:',
      '    traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      `replay:        to topic ${topics.notifications} (SendSms to +*******0123, from OriginalKeyJson/OriginalValueJson)`,
      'replayed:      no',
    ]);

    // The golden vector, as JSON: its Topic is not this run's notifications topic.
    const vector = new CapturedOutput();
    expect(await run((dlq) => dlq.show(VECTOR_ID, { json: true }, vector))).toBe(0);
    const shown = JSON.parse(vector.text) as Record<string, unknown>;
    expect(shown).toMatchObject({
      id: VECTOR_ID,
      origin: 'csharp',
      source: null,
      reasonCode: DEAD_LETTER_CSHARP.value.csharp.ExceptionType,
      stackTrace: '(stack trace omitted, 2 lines)',
      failedKeyType: 'NotificationKey(EventType=SendSms)',
      original: { topic: 'notifications', partition: null, key: SEND_SMS_KEY, valueEncoding: 'utf8' },
      replay: { refused: expect.stringContaining('its topic "notifications" is not the notifications topic') },
      replayed: null,
    });
    for (const text of [out.text, vector.text]) {
      expect(text).not.toContain('5555550123');
      expect(text).not.toMatch(/\bat [A-Z][\w.`]+\(/);
      expect(text).not.toContain('NotificationMessageMiddleware.cs');
    }
  });

  it('republishes the exact original key, value and headers of ours to the original topic, once', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], {}, out))).toBe(0);
    expect(out.lines[0]).toMatch(new RegExp(`^${twilio.id}  published to ${topics.notifications}\\[\\d\\]@\\d+$`));
    expect(out.lines[1]).toBe('replayed 1, skipped 0, refused 0, failed 0');

    const [replayed] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === twilio.id);
    expect(replayed?.key).toEqual(Buffer.from(SEND_SMS_KEY));
    expect(replayed?.value).toEqual(Buffer.from(sendSms(PHONE)));
    expect(replayed?.headers).toEqual({
      traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
      'x-binary': Buffer.from([0xff, 0x00, 0x80]),
      'nudges-message-id': Buffer.from(twilio.id),
      'nudges-replayed-from': Buffer.from(twilio.id),
    });
    expect(await topicSize(topics.notifications)).toBe(before + 1);

    const again = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], {}, again))).toBe(0);
    expect(again.lines).toEqual([
      `${twilio.id}  skipped: already replayed (use --force to replay again)`,
      'replayed 0, skipped 1, refused 0, failed 0',
    ]);
    expect(await topicSize(topics.notifications)).toBe(before + 1);

    const listed = new CapturedOutput();
    await run((dlq) => dlq.list({ pending: true }, listed));
    expect(listed.text).not.toContain(twilio.id);
  });

  it('--force publishes again, with the same notifier identity, so the notifier still delivers it once', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([twilio.id], { force: true }, out))).toBe(0);
    const both = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === twilio.id, 2);
    expect(await topicSize(topics.notifications)).toBe(before + 1);
    const identities = new Set(both.map((m: RawMessage) => eventIdentity(m)));
    expect(identities.size).toBe(1);
  });

  it('replays a C#-written SendSms from its OriginalKeyJson, OriginalValueJson and OriginalHeaders, once', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([CS_SMS_ID], {}, out))).toBe(0);
    expect(out.lines[0]).toMatch(new RegExp(`^${CS_SMS_ID}  published to ${topics.notifications}\\[\\d\\]@\\d+$`));
    expect(out.lines[1]).toBe('replayed 1, skipped 0, refused 0, failed 0');

    const [replayed] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === CS_SMS_ID);
    expect(replayed?.key).toEqual(Buffer.from(SEND_SMS_KEY));
    expect(replayed?.value).toEqual(Buffer.from(CS_SMS_ORIGINAL_VALUE, 'utf8'));
    expect(replayed?.headers).toEqual({
      traceparent: Buffer.from('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'),
      'nudges-message-id': Buffer.from(CS_SMS_ID),
      'nudges-replayed-from': Buffer.from(CS_SMS_ID),
    });
    // What the notifier will read: a SendSms to the C# record's recipient.
    const notification = decodeNotification(replayed?.value);
    expect(notification.ok && isSendSms(notification.value) && sendSmsRecipient(notification.value, replayed?.key)).toBe(C_SHARP_PHONE);
    expect(await topicSize(topics.notifications)).toBe(before + 1);

    const again = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([CS_SMS_ID.slice(0, 13)], {}, again))).toBe(0);
    expect(again.lines).toEqual([
      `${CS_SMS_ID}  skipped: already replayed (use --force to replay again)`,
      'replayed 0, skipped 1, refused 0, failed 0',
    ]);
    expect(await topicSize(topics.notifications)).toBe(before + 1);
  });

  it('refuses C#-written dead letters the notifier would not handle, and records nothing', async () => {
    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([VECTOR_ID, CS_NO_RECIPIENT_ID], {}, out))).toBe(1);
    expect(out.warnings).toEqual([
      `${VECTOR_ID}  REFUSED: written by a C# handler: its topic "notifications" is not the notifications topic; only a SendSms of ${topics.notifications} with a recipient is replayed`,
      `${CS_NO_RECIPIENT_ID}  REFUSED: written by a C# handler: its SendSms names no recipient (no PhoneNumber, and no EventKey in OriginalKeyJson); only a SendSms of ${topics.notifications} with a recipient is replayed`,
    ]);
    expect(out.lines).toEqual(['replayed 0, skipped 0, refused 2, failed 0']);
    expect(await topicSize(topics.notifications)).toBe(before);

    const dry = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([CS_NO_RECIPIENT_ID], { dryRun: true }, dry))).toBe(1);
    expect(dry.lines).toEqual(['dry run: would replay 0, skip 0, refuse 1']);

    const listed = new CapturedOutput();
    await run((dlq) => dlq.list({ pending: true, origin: 'csharp' }, listed));
    expect(listed.text).toContain(VECTOR_ID);
    expect(listed.text).toContain(CS_NO_RECIPIENT_ID);
    expect(listed.text).not.toContain(CS_SMS_ID);
  });

  it('replays every dead letter of one reason with --all --reason, bytes exact even when not UTF-8', async () => {
    const dry = new CapturedOutput();
    await run((dlq) => dlq.replay([], { all: true, reason: 'poison.invalid-utf8', dryRun: true }, dry));
    expect(dry.lines).toEqual([
      `${notUtf8.id}  would replay to topic ${topics.notifications}`,
      `${notUtf8Too.id}  would replay to topic ${topics.notifications}`,
      'dry run: would replay 2, skip 0, refuse 0',
    ]);

    const before = await topicSize(topics.notifications);
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([], { all: true, reason: 'poison.invalid-utf8' }, out))).toBe(0);
    expect(out.lines.at(-1)).toBe('replayed 2, skipped 0, refused 0, failed 0');
    expect(await topicSize(topics.notifications)).toBe(before + 2);
    const [first] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === notUtf8.id);
    const [second] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === notUtf8Too.id);
    expect(first?.key).toBeNull();
    expect(first?.value).toEqual(Buffer.from([0xff, 0xfe, 0x7b]));
    expect(second?.key).toEqual(Buffer.from(SEND_SMS_KEY));
    expect(second?.value).toEqual(Buffer.from([0xc3, 0x28]));
    expect(replays(exhausted.id)).toHaveLength(0);
  });

  it("keeps a producer's message id instead of adding one", async () => {
    expect(await run((dlq) => dlq.replay([exhausted.id], {}, new CapturedOutput()))).toBe(0);
    const [replayed] = await reader.waitFor(topics.notifications, (m) => text(m.headers['nudges-replayed-from']) === exhausted.id);
    expect(text(replayed?.headers['message-id'])).toBe('c-sharp-producer-0001');
    expect(replayed?.headers['nudges-message-id']).toBeUndefined();
  });

  it('reports unknown ids and refuses ambiguous arguments', async () => {
    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay(['11111111-2222-4333-8444-555555555555'], {}, out))).toBe(1);
    expect(out.warnings).toEqual([`no dead letter 11111111-2222-4333-8444-555555555555 in ${topics.deadletter}`]);
    await expect(run((dlq) => dlq.replay([], {}, out))).rejects.toThrow(CliUsageError);
    await expect(run((dlq) => dlq.replay([], { all: true }, out))).rejects.toThrow(/--all needs --reason/);
    await expect(run((dlq) => dlq.replay([twilio.id], { all: true, reason: '*' }, out))).rejects.toThrow(CliUsageError);
  });

  it('says which settings are missing to replay a Stripe dead letter', async () => {
    const stripe = createDeadLetter({
      source: 'webhooks',
      reasonCode: 'stripe.client-not-found',
      reason: 'no client has Stripe customer id cus_1',
      attempts: 1,
      failureType: 2,
      topic: 'http:StripeWebhookHandler',
      stripeEventId: 'evt_1NoSettings',
      stripeEventType: 'checkout.session.completed',
      original: { key: null, value: '{"id":"evt_1NoSettings","object":"event"}' },
    });
    const id = stripe.record.eventKey.id;
    await producer.send({
      topic: topics.deadletter,
      messages: [{ key: encodeDeadLetterKey(stripe.key), value: encodeDeadLetter(stripe.record) }],
    });
    const shown = new CapturedOutput();
    await run((dlq) => dlq.show(id, {}, shown));
    expect(shown.lines).toEqual(
      expect.arrayContaining([
        'topic:         http:StripeWebhookHandler',
        'original:      (no topic: an HTTP request body)',
        'replay:        to Stripe handlers (evt_1NoSettings)',
      ]),
    );

    const out = new CapturedOutput();
    expect(await run((dlq) => dlq.replay([id], {}, out))).toBe(1);
    expect(out.warnings[0]).toMatch(new RegExp(`^${id}  FAILED: invalid configuration \\| STRIPE_API_KEY: is required but not set \\| `));
    // A failed replay is not recorded: it can be run again once the settings are there.
    const listed = new CapturedOutput();
    await run((dlq) => dlq.list({ pending: true }, listed));
    expect(listed.text).toContain(id);
  });

  describe('as a process (the built CLI, as npm run dlq runs it)', () => {
    beforeAll(() => ensureCliBuilt(), 240_000);

    it('lists both origins as JSON and skips a replayed dead letter', async () => {
      const listed = await runCli(['dlq', 'list', '--json'], env);
      expect(listed.code).toBe(0);
      const entries = listed.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; origin: string; replayed: unknown });
      const replayedIds = entries.filter((e) => e.replayed !== null).map((e) => e.id);
      expect(replayedIds).toEqual([twilio.id, notUtf8.id, notUtf8Too.id, CS_SMS_ID, exhausted.id]);
      expect(entries.filter((e) => e.origin === 'csharp').map((e) => e.id)).toEqual([VECTOR_ID, CS_SMS_ID, CS_NO_RECIPIENT_ID]);
      expect(listed.stdout).not.toContain(PHONE);
      expect(listed.stdout).not.toContain('5555550123');

      const before = await topicSize(topics.notifications);
      const replay = await runCli(['dlq', 'replay', notUtf8.id], env);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain(`${notUtf8.id}  skipped: already replayed`);
      expect(await topicSize(topics.notifications)).toBe(before);

      const shown = await runCli(['dlq', 'show', CS_SMS_ID], env);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain('origin:        csharp (written by a C# handler)');
      expect(shown.stdout).toContain('stack trace:   (stack trace omitted, 3 lines)');
      expect(shown.stdout).not.toContain('5555550123');
    });

    it('exits 1 with one line per missing variable', async () => {
      const bad = await runCli(['dlq', 'list'], { REDIS_URL: env.REDIS_URL });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('cli: invalid configuration\n  Kafka__BrokerList: is required but not set\n');
    });
  });
});
