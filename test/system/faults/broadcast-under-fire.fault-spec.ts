// Scenario 6, broadcast under fire: a client CONFIRMs an announcement to 20,000 subscribers (signed
// Twilio webhook to the webhooks process); the broadcaster process fans it out through Kafka while
// the Kafka broker is restarted and the broadcaster itself is SIGKILLed and replaced, and the client
// texts CONFIRM a second time. Every subscriber gets the SMS exactly once (through the notifier
// process to the Twilio sink), the client hears the true count exactly once, and the second
// CONFIRM finds no draft.
import { jest } from '@jest/globals';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import type { AppProcess } from '../../support/app-process.js';
import { startBroadcasterProcess, type BroadcasterProcess } from '../../support/faults/broadcaster-process.js';
import { reportFigures } from '../../support/figures.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { startComponent, stopComponent, uniqueName } from '../../support/stack.js';
import { TEST_ACCOUNT_SID } from '../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../support/notifier/fleet.js';
import { activate, catalogText, CommittedNotifications, sendSms, sms, until } from '../../support/twilio/twilio-support.js';
import { draftOf } from '../../support/faults/webhooks-drafts.js';
import { stackTraceLines, startWebhooksProcess, type WebhooksProcess } from '../../support/faults/webhooks-process.js';

jest.setTimeout(240_000);

const SUBSCRIBERS = 20_000;
const PAGE_SIZE = 50; // the gateway's maximum
const PAGES = SUBSCRIBERS / PAGE_SIZE;
const CLIENT_PHONE = '+15550009001';
const PHONE_PREFIX = '+1999';

describe('fault scenario 6: broadcast to 20,000 subscribers while the broker restarts and the broadcaster is killed', () => {
  const base = uniqueName('under-fire');
  const topic = `${base}-notifications`;
  const redisPrefix = `${base}:`;
  let peers: GatewayPeers;
  let sink: TwilioSink;
  let webhooks: WebhooksProcess;
  let notifier: AppProcess;
  let client: ClientRecord;
  let appEnv: Record<string, string>;
  const broadcasters: BroadcasterProcess[] = [];

  beforeAll(async () => {
    // Every gateway answer is 20 ms late while the test says so: the fan-out then takes long
    // enough for a broker restart and a kill to land inside it.
    peers = await startGatewayPeers({ slowMs: 20 });
    client = peers.gateway.store.addClient({ name: 'Under Fire', slug: 'under-fire', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    activate(peers.gateway.store, client);
    peers.gateway.store.seedSubscribers(client.id, SUBSCRIBERS, { phonePrefix: PHONE_PREFIX });
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID });
    appEnv = {
      ...peers.env,
      KAFKA_TOPIC_NOTIFICATIONS: topic,
      KAFKA_TOPIC_BROADCASTS: `${base}-broadcasts`,
      BROADCAST_CONSUMER_GROUP: `${base}-fanout`,
      REDIS_KEY_PREFIX: redisPrefix,
      GRAPHQL_PAGE_SIZE: String(PAGE_SIZE),
    };
    webhooks = await startWebhooksProcess(appEnv, 'broadcast-under-fire');
    broadcasters.push(await startBroadcasterProcess({ ...appEnv, KAFKA_SESSION_TIMEOUT_MS: '6000' }, 'broadcast-under-fire-1'));
    notifier = await startMember(fleetEnv({ topic, sink }));
    await joinedWithPartitions(notifier, 60_000);
  }, 120_000);

  afterAll(async () => {
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await Promise.all(broadcasters.map((b) => b.stop()));
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  /** Per seeded subscriber phone: how many got exactly one SMS, at least one, and the SMS beyond the first. */
  function deliveryCounts() {
    const byTo = sink.countByTo();
    let once = 0;
    let reached = 0;
    let extra = 0;
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const n = byTo.get(`${PHONE_PREFIX}${String(i).padStart(7, '0')}`) ?? 0;
      if (n === 1) once += 1;
      if (n >= 1) reached += 1;
      extra += Math.max(0, n - 1);
    }
    return { once, reached, extra, total: sink.messages.length };
  }

  it('delivers every SMS exactly once and tells the client the true count once; a double CONFIRM sends once', async () => {
    const text = `Flash sale ${Date.now()}: everything half price`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).message).toMatch(/^Your announcement:\n/);

    const requestsBefore = peers.gateway.requestCount();
    const pagesDone = () => peers.gateway.requestCount() - requestsBefore;
    peers.gateway.setFailureRate(1, 'slow');
    const confirmStarted = Date.now();
    const first = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'));
    const firstReplyMs = Date.now() - confirmStarted;
    const second = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM')); // the client texts CONFIRM again

    await until(() => pagesDone() >= PAGES / 4, 60_000, 'a quarter of the subscriber pages');
    const pagesAtRestart = pagesDone();
    const restartStarted = Date.now();
    await stopComponent('kafka');
    await startComponent('kafka');
    const restartMs = Date.now() - restartStarted;

    await until(() => pagesDone() >= pagesAtRestart + PAGES / 4, 120_000, 'the fan-out to go on after the restart');
    const pagesAtKill = pagesDone();
    broadcasters[0]!.proc.kill('SIGKILL');
    await broadcasters[0]!.proc.exited;
    broadcasters.push(await startBroadcasterProcess({ ...appEnv, KAFKA_SESSION_TIMEOUT_MS: '6000' }, 'broadcast-under-fire-2'));
    peers.gateway.setFailureRate(0, 'slow');

    const completion = () => sink.messages.filter((m) => m.to === CLIENT_PHONE);
    await sink.waitFor((s) => s.messages.length >= SUBSCRIBERS + 1, 180_000, `${SUBSCRIBERS} SMS and the completion SMS`);
    await until(
      () => statOf(notifier, 'delivered') + statOf(notifier, 'duplicate') >= SUBSCRIBERS + 1,
      30_000,
      'the notifier to report every delivery',
    );
    const deadLettered = statOf(notifier, 'dead-lettered'); // before the barrier, whose markers are not notifications
    const committed = new CommittedNotifications(topic);
    await committed.start();
    try {
      await committed.waitForBody(text, SUBSCRIBERS, 60_000);
      await committed.barrier(30_000);
    } finally {
      await committed.stop();
    }
    const third = await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM')); // after it was sent: nothing left
    const counts = deliveryCounts();
    const smsTimes = sink.messages.map((m) => m.receivedAt);
    const figures = {
      scenario: 'broadcast-under-fire',
      sent: SUBSCRIBERS,
      delivered: counts.once,
      duplicated: counts.extra,
      lost: SUBSCRIBERS - counts.reached,
      deadLettered,
      firstConfirmReplyMs: firstReplyMs,
      firstConfirm: first.message,
      completionSms: completion().length,
      completionText: completion()[0]?.body ?? null,
      pagesAtRestart,
      pagesAtKill,
      brokerRestartMs: restartMs,
      maxLatencyMs: Math.max(...smsTimes) - confirmStarted,
      committedRecords: committed.withBody(text).length,
      smsTotal: counts.total,
      notifierDuplicatesSkipped: statOf(notifier, 'duplicate'),
      notifierPidAlive: notifier.child.exitCode === null,
      webhooksPidAlive: webhooks.proc.child.exitCode === null,
    };
    reportFigures('faults', figures);

    expect(pagesAtRestart).toBeLessThan(PAGES); // the restart and the kill began mid-broadcast
    expect(pagesAtKill).toBeLessThan(PAGES);
    expect(firstReplyMs).toBeLessThan(3000);
    expect(first.message).toBe(catalogText('AnnouncementSending', 'en-US'));
    expect(second.message).toBe(catalogText('NoPendingAnnouncement', 'en-US'));
    expect(third.message).toBe(catalogText('NoPendingAnnouncement', 'en-US'));
    expect(figures.delivered).toBe(SUBSCRIBERS);
    expect(figures.duplicated).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.smsTotal).toBe(SUBSCRIBERS + 1);
    expect(figures.committedRecords).toBe(SUBSCRIBERS);
    expect(figures.deadLettered).toBe(0);
    expect(figures.completionSms).toBe(1);
    expect(figures.completionText).toBe(catalogText('AnnouncementSent', 'en-US', { count: String(SUBSCRIBERS) }));
    expect(await draftOf(redisPrefix, CLIENT_PHONE)).toBeNull();
    expect(figures.notifierPidAlive && figures.webhooksPidAlive).toBe(true);
    expect(
      [...stackTraceLines(webhooks.proc), ...stackTraceLines(notifier), ...stackTraceLines(broadcasters.at(-1)!.proc)].slice(0, 3),
    ).toEqual([]);
  });
});
