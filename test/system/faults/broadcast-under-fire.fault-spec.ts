// Scenario 6, broadcast under fire: a client CONFIRMs an announcement to 20,000 subscribers (signed
// Twilio webhook to the webhooks process) and the Kafka broker is restarted while the broadcast is
// paging through the subscribers. Either every subscriber gets the SMS exactly once (through the
// notifier process to the Twilio sink) or nobody does and the draft is back for the next CONFIRM. A
// second CONFIRM sent meanwhile does not broadcast again.
import { jest } from '@jest/globals';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import type { AppProcess } from '../../support/app-process.js';
import { reportFigures } from '../../support/figures.js';
import { startGatewayPeers, type GatewayPeers } from '../../support/gateway-peers.js';
import { startComponent, stopComponent, uniqueName } from '../../support/stack.js';
import { TEST_ACCOUNT_SID } from '../../support/notifier/events.js';
import { fleetEnv, joinedWithPartitions, startMember, statOf } from '../../support/notifier/fleet.js';
import {
  activate,
  catalogText,
  CommittedNotifications,
  sendSms,
  sms,
  until,
  type SmsResponse,
} from '../../support/twilio/twilio-support.js';
import { draftOf } from '../../support/faults/webhooks-drafts.js';
import { stackTraceLines, startWebhooksProcess, type WebhooksProcess } from '../../support/faults/webhooks-process.js';

jest.setTimeout(180_000);

const SUBSCRIBERS = 20_000;
const PAGE_SIZE = 50; // the gateway's maximum
/** Pages fetched before the broker is stopped: a quarter of the broadcast. */
const RESTART_AFTER_PAGES = SUBSCRIBERS / PAGE_SIZE / 4;
const CLIENT_PHONE = '+15550009001';
const PHONE_PREFIX = '+1999';

describe('fault scenario 6: broadcast to 20,000 subscribers while the broker restarts', () => {
  const base = uniqueName('under-fire');
  const topic = `${base}-notifications`;
  const redisPrefix = `${base}:`;
  let peers: GatewayPeers;
  let sink: TwilioSink;
  let webhooks: WebhooksProcess;
  let notifier: AppProcess;
  let client: ClientRecord;

  beforeAll(async () => {
    // Every gateway answer is 100 ms late while the test says so: the broadcast then takes seconds
    // and the broker restart lands inside it.
    peers = await startGatewayPeers({ slowMs: 100 });
    client = peers.gateway.store.addClient({ name: 'Under Fire', slug: 'under-fire', phoneNumber: CLIENT_PHONE, locale: 'en-US' });
    activate(peers.gateway.store, client);
    peers.gateway.store.seedSubscribers(client.id, SUBSCRIBERS, { phonePrefix: PHONE_PREFIX });
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID });
    webhooks = await startWebhooksProcess(
      {
        ...peers.env,
        KAFKA_TOPIC_NOTIFICATIONS: topic,
        REDIS_KEY_PREFIX: redisPrefix,
        GRAPHQL_PAGE_SIZE: String(PAGE_SIZE),
        ANNOUNCEMENT_KAFKA_CHUNK: '500',
      },
      'broadcast-under-fire',
    );
    notifier = await startMember(fleetEnv({ topic, sink }));
    await joinedWithPartitions(notifier, 60_000);
  }, 120_000);

  afterAll(async () => {
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await webhooks?.stop();
    await sink?.stop();
    await peers?.stop();
  });

  /** A CONFIRM from the client, with the time its reply arrived. */
  const confirm = async (): Promise<SmsResponse & { at: number }> => ({
    ...(await sendSms(webhooks.url, sms(CLIENT_PHONE, 'CONFIRM'))),
    at: Date.now(),
  });
  const sentReply = `Sent to ${SUBSCRIBERS} subscribers`;
  const noPendingReply = catalogText('NoPendingAnnouncement', 'en-US');

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

  it('delivers every SMS exactly once, or none with the draft back; a double CONFIRM sends once', async () => {
    const text = `Flash sale ${Date.now()}: everything half price`;
    expect((await sendSms(webhooks.url, sms(CLIENT_PHONE, text))).message).toBe(
      catalogText('AnnouncementConfirm', 'en-US', { smsBody: text }),
    );

    const requestsBefore = peers.gateway.requestCount();
    peers.gateway.setFailureRate(1, 'slow');
    const confirmStarted = Date.now();
    const first = confirm();
    // The observed point: the broadcast has fetched a quarter of its subscriber pages.
    await until(
      () => peers.gateway.requestCount() >= requestsBefore + RESTART_AFTER_PAGES,
      60_000,
      `${RESTART_AFTER_PAGES} subscriber pages`,
    );
    const pagesAtRestart = peers.gateway.requestCount() - requestsBefore;
    const second = confirm(); // the client texts CONFIRM again while the first is still broadcasting
    const restartStarted = Date.now();
    await stopComponent('kafka');
    await startComponent('kafka');
    const restartMs = Date.now() - restartStarted;
    peers.gateway.setFailureRate(0, 'slow');
    const [firstReply, secondReply] = await Promise.all([first, second]);
    const firstReplyMs = Date.now() - confirmStarted;
    const draftAfterFirst = await draftOf(redisPrefix, CLIENT_PHONE);

    // The client answers a failure by texting CONFIRM again (a new message) until it is sent.
    const replies = [firstReply, secondReply];
    let sendingConfirmAt = confirmStarted;
    while (!replies.some((r) => r.message === sentReply) && replies.length < 10 && draftAfterFirst === text) {
      sendingConfirmAt = Date.now();
      replies.push(await confirm());
    }
    replies.push(await confirm()); // and once more after it was sent: nothing left to send

    // messages.length, not countByTo(): the predicate runs on every request the sink receives.
    await sink.waitFor((s) => s.messages.length >= SUBSCRIBERS, 150_000, `${SUBSCRIBERS} SMS`);
    await until(
      () => statOf(notifier, 'delivered') + statOf(notifier, 'duplicate') >= SUBSCRIBERS,
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
    const counts = deliveryCounts();
    const smsTimes = sink.messages.map((m) => m.receivedAt);
    const sentReplyAt = replies.find((r) => r.message === sentReply)?.at ?? Number.NaN;
    const figures = {
      scenario: 'broadcast-under-fire',
      sent: SUBSCRIBERS,
      delivered: counts.once,
      duplicated: counts.extra,
      lost: SUBSCRIBERS - counts.reached,
      deadLettered,
      maxLatencyMs: Math.max(...smsTimes) - sendingConfirmAt,
      firstSmsAfterSentReplyMs: Math.min(...smsTimes) - sentReplyAt,
      firstConfirm: firstReply.message === sentReply ? 'sent' : 'failed, draft back',
      firstConfirmStatus: firstReply.status,
      firstConfirmReplyMs: firstReplyMs,
      draftBackAfterFailure: firstReply.message === sentReply ? null : draftAfterFirst === text,
      confirmsSent: replies.length,
      broadcasts: replies.filter((r) => r.message === sentReply).length,
      pagesAtRestart,
      brokerRestartMs: restartMs,
      committedRecords: committed.withBody(text).length,
      smsTotal: counts.total,
      notifierDuplicatesSkipped: statOf(notifier, 'duplicate'),
      notifierPidAlive: notifier.child.exitCode === null,
      webhooksPidAlive: webhooks.proc.child.exitCode === null,
    };
    reportFigures('faults', figures);

    expect(pagesAtRestart).toBeLessThan(SUBSCRIBERS / PAGE_SIZE); // the restart began mid-broadcast
    expect(figures.broadcasts).toBe(1);
    expect(figures.delivered).toBe(SUBSCRIBERS);
    expect(figures.duplicated).toBe(0);
    expect(figures.lost).toBe(0);
    expect(figures.smsTotal).toBe(SUBSCRIBERS);
    expect(figures.committedRecords).toBe(SUBSCRIBERS);
    expect(figures.deadLettered).toBe(0);
    // A transaction left open by the failed broadcast would hold the committed one back until its
    // 60 s timeout; recreating the producer under the same transactional id aborts it at once.
    expect(figures.firstSmsAfterSentReplyMs).toBeLessThan(30_000);
    if (firstReply.message !== sentReply) {
      expect(firstReply.status).toBe(200);
      expect(firstReply.message).toMatch(/^Sorry, something went wrong: ref [0-9a-f]{8}$/);
      expect(draftAfterFirst).toBe(text);
    } else {
      expect(draftAfterFirst).toBeNull();
    }
    expect(secondReply.message).toBe(noPendingReply);
    expect(replies.at(-1)?.message).toBe(noPendingReply);
    expect(await draftOf(redisPrefix, CLIENT_PHONE)).toBeNull();
    expect(figures.notifierPidAlive && figures.webhooksPidAlive).toBe(true);
    expect([...stackTraceLines(webhooks.proc), ...stackTraceLines(notifier)].slice(0, 3)).toEqual([]);
  });
});
