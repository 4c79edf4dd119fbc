// The system under fuzz: the BUILT webhooks app as a child process (so a crash is a crash, not a
// jest failure), the OIDC + GraphQL gateway peers in this process, the shared stack for the rest.
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import type { ClientRecord } from '../../../peers/gateway/store.js';
import { spawnApp, webhooksPortsOf, type AppProcess } from '../app-process.js';
import { connectInspector, INSPECT_NODE_OPTION, type HeapFigures, type Inspector } from '../inspector.js';
import { startGatewayPeers, type GatewayPeers } from '../gateway-peers.js';
import { uniqueName } from '../stack.js';
import { TEST_SECRETS } from '../test-secrets.js';
import { baseWebhooksEnv } from '../webhooks-app.js';
import { activate, until } from '../twilio/twilio-support.js';

/** A client with an active plan: its texts become announcement drafts quoted back in the reply. */
export const DRAFTING_CLIENT_PHONE = '+15550107001';
export const RENDER_CACHE_MAX_BYTES = 64 * 1024;
/**
 * The app's request deadlines in this run: short, so a slow client's case ends in seconds, yet far
 * above what the largest fuzzed body (2 MB over loopback) needs.
 */
export const SERVER_REQUEST_TIMEOUT_MS = 4_000;
export const SERVER_HEADERS_TIMEOUT_MS = 2_000;

export interface FuzzTarget {
  app: AppProcess;
  /** The public port (the webhook endpoints). */
  port: number;
  /** The internal port (health, metrics). */
  internalPort: number;
  peers: GatewayPeers;
  client: ClientRecord;
  /** The child's resident set size now, in MB. */
  rssMb(): number;
  /** The child's live heap after a forced full GC, over the inspector. */
  heapAfterGc(): Promise<HeapFigures>;
  /** A heap snapshot of the child, for finding what grows. */
  writeHeapSnapshot(path: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  const peers = await startGatewayPeers();
  const client = peers.gateway.store.addClient({
    name: 'Fuzz & <Co>',
    slug: 'fuzz-co',
    phoneNumber: DRAFTING_CLIENT_PHONE,
    locale: 'en-US',
  });
  activate(peers.gateway.store, client);
  const port = await freePort();
  const base = uniqueName('fuzz');
  const app = await spawnApp(
    'webhooks',
    {
      ...baseWebhooksEnv(),
      ...peers.env,
      PORT: String(port),
      // An event about an object not synced yet is answered 500 (Stripe retries) during this grace;
      // the fuzzed events name random objects, so they are dead-lettered (200) at once instead.
      STRIPE_NOT_YET_SYNCED_GRACE: '0',
      HTTP_REQUEST_TIMEOUT_MS: String(SERVER_REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(SERVER_HEADERS_TIMEOUT_MS),
      // info: every request is logged, so the secrets audit has every line the app can write.
      LOG_LEVEL: 'info',
      LOCALIZATION_API_URL: '',
      // Every draft reply quotes the draft, so each adds a render to this cache: small enough that
      // the warm-up fills it, so the post-GC heap after the run compares like with like.
      LOCALIZATION_CACHE_MAX_BYTES: String(RENDER_CACHE_MAX_BYTES),
      EncryptionSettings__Key: TEST_SECRETS.phoneCipherKey,
      KAFKA_TOPIC_NOTIFICATIONS: `${base}-notifications`,
      KAFKA_TOPIC_PAYMENTS: `${base}-payments`,
      KAFKA_TOPIC_FOREIGN_PRODUCTS: `${base}-foreign-products`,
      KAFKA_TOPIC_DEADLETTER: `${base}-deadletter`,
      KAFKA_TOPIC_PARTITIONS: '1',
      REDIS_KEY_PREFIX: `${base}:`,
      // The inspector forces GC and reads the heap; more diagnostics from FUZZ_APP_NODE_OPTIONS, e.g. --trace-gc.
      NODE_OPTIONS: [INSPECT_NODE_OPTION, process.env.FUZZ_APP_NODE_OPTIONS ?? ''].join(' ').trim(),
    },
    'fuzz',
    // No optimizing compiler, no bytecode flushing: the post-GC heap then holds the app's objects and
    // a bounded amount of bytecode, not TurboFan's deoptimization data and relocation info, which
    // grew by up to 0.7 MB in the old space as the run made more functions hot (heap snapshots,
    // 2026-12-07) and tripped the 0.5 MB allowance depending on the machine's load.
    { nodeArgs: ['--no-opt', '--no-flush-bytecode'] },
  );
  let inspector: Inspector | undefined;
  let internalPort: number;
  try {
    inspector = await connectInspector(app);
    ({ internalPort } = await webhooksPortsOf(app));
    await until(() => isReady(internalPort), 30_000, 'the webhooks app to be ready (Kafka and Redis reachable)');
  } catch (err) {
    await inspector?.close();
    app.kill();
    await peers.stop();
    throw err;
  }
  return {
    app,
    port,
    internalPort,
    peers,
    client,
    rssMb: () => rssMbOf(app.pid),
    heapAfterGc: () => inspector.heapAfterGc(),
    writeHeapSnapshot: (path) => inspector.writeHeapSnapshot(path),
    stop: async () => {
      await inspector.close();
      app.kill('SIGTERM');
      await app.exited;
      await peers.stop();
    },
  };
}

async function isReady(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** VmRSS of a process from /proc, in MB. */
export function rssMbOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

/** A port nobody listens on right now (the OS picks it; the app binds it moments later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
