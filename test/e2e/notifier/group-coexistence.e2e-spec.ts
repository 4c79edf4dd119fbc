// What happens when the notifier and the C# notifications handler run at once in one consumer
// group. The C# consumer (librdkafka, `partition.assignment.strategy` left at its default) offers
// only the "range" and "roundrobin" protocols; kafkajs offers "RoundRobinAssigner". The broker
// finds no protocol both speak and refuses whichever joins second (INCONSISTENT_GROUP_PROTOCOL): the
// notifier consumes nothing while the C# member holds the group, and no SMS goes out twice. When
// the C# member leaves, the notifier joins and continues at the offset the C# member committed.
import { jest } from '@jest/globals';
import { AssignerProtocol, type Consumer, type Kafka, type PartitionAssigner } from 'kafkajs';
import { startLocalizationServer, type LocalizationServer } from '../../../peers/localization/localization-server.js';
import { startTwilioSink, type TwilioSink } from '../../../peers/twilio-sink/twilio-sink.js';
import { builtAppEntry, spawnNotifier, type AppProcess } from '../../support/app-process.js';
import { writeLikeCSharp } from '../../support/csharp/csharp-writer.js';
import { stackEnv, uniqueName } from '../../support/stack.js';
import { SEND_SMS_KEY, TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, phone, until } from '../../support/notifier/events.js';
import { fleetEnv } from '../../support/notifier/fleet.js';
import { createTopic, plainKafka, produce } from '../../support/notifier/kafka.js';

jest.setTimeout(120_000);

/** An assigner under one of librdkafka's protocol names that gives every partition to the first member. */
const librdkafkaNamed =
  (name: string): PartitionAssigner =>
  () => ({
    name,
    version: 0,
    async assign({ members, topics }) {
      return members.map((m, i) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: i === 0 ? Object.fromEntries(topics.map((t) => [t, [0]])) : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return { name, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });

const sendSms = (to: string) => ({
  partition: 0,
  key: SEND_SMS_KEY,
  value: writeLikeCSharp('NotificationEvent', {
    $type: 'notification.sendSms',
    PhoneNumber: to,
    ResourceKey: 'UserLoggedIn',
    Locale: 'en-US',
    Replacements: {},
  }),
});

describe('the notifier next to the C# notifications handler in one group', () => {
  const topic = uniqueName('notify-coexist');
  const groupId = uniqueName('coexist-listeners');
  let kafka: Kafka;
  let sink: TwilioSink;
  let localization: LocalizationServer;
  let csharp: Consumer | undefined;
  let notifier: AppProcess;
  const handledByCsharp: string[] = [];

  beforeAll(async () => {
    kafka = plainKafka(stackEnv().Kafka__BrokerList);
    await createTopic(kafka, topic, 1);
    sink = await startTwilioSink({ accountSid: TEST_ACCOUNT_SID, authToken: TEST_AUTH_TOKEN });
    localization = await startLocalizationServer();
    // A build blocks this worker's event loop (spawnSync): do it before the C# member must heartbeat.
    await builtAppEntry('notifier');
  });

  afterAll(async () => {
    await csharp?.disconnect();
    notifier?.kill('SIGTERM');
    await notifier?.exited;
    await sink?.stop();
    await localization?.stop();
  });

  it('is refused while the C# member holds the group, sends nothing twice, and takes over at its committed offset', async () => {
    csharp = kafka.consumer({
      groupId,
      partitionAssigners: [librdkafkaNamed('range'), librdkafkaNamed('roundrobin')],
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
    await csharp.connect();
    await csharp.subscribe({ topic, fromBeginning: true });
    const joined = new Promise<void>((resolve) => csharp!.on(csharp!.events.GROUP_JOIN, () => resolve()));
    await csharp.run({
      autoCommit: true,
      autoCommitThreshold: 1,
      eachMessage: async ({ message }) => void handledByCsharp.push(message.value!.toString()),
    });
    await joined;

    notifier = await spawnNotifier(fleetEnv({ topic, sink, groupId, extra: { LOCALIZATION_API_URL: localization.url } }), 'coexist');
    await notifier.waitForOutput(/INCONSISTENT_GROUP_PROTOCOL|supported protocols are incompatible/, 60_000);

    const whileBoth = [phone(8101), phone(8102)];
    await produce(kafka, topic, whileBoth.map(sendSms));
    await until(() => handledByCsharp.length === 2, 20_000, 'the C# member to handle both');
    expect(sink.attempts).toHaveLength(0);

    await csharp.disconnect();
    csharp = undefined;
    const afterwards = phone(8103);
    await produce(kafka, topic, [sendSms(afterwards)]);
    await until(() => sink.messages.some((m) => m.to === afterwards), 60_000, 'the notifier to take over');
    expect(sink.attempts.map((a) => a.to)).toEqual([afterwards]);
  });
});
