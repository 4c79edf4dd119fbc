// The page-reading thread's protocol over a real MessageChannel (structured cloning and message
// order as between threads), with an in-memory page source. The worker entry itself runs in the
// built broadcaster (e2e, cluster and fault suites, bench:announcement).
import { MessageChannel } from 'node:worker_threads';
import { GatewayBusinessError, GatewayUnavailableError } from '@app/shared/graphql/gateway.errors.js';
import { servePages, type CommandPort } from './page-reader.js';
import { PageReaderThread, type PageReaderChannel } from './page-reader.thread.js';
import type { PageSource, SubscriberPage } from './subscriber-pager.js';

/** `pages` pages of two subscribers each; the cursor after page n is `c<n>`. */
function pagedSource(pages: number, failAt?: { page: number; error: Error }) {
  const calls: Array<string | null> = [];
  const source: PageSource = (clientId, pageSize, after) => {
    calls.push(after);
    const n = after === null ? 0 : Number(after.slice(1));
    if (failAt && n === failAt.page) return Promise.reject(failAt.error);
    const subscribers = [0, 1].map((i) => ({ id: `${clientId}-${n}-${i}`, phoneNumber: `+1999000${n}${i}`, locale: 'en-US' }));
    return Promise.resolve({ subscribers, next: n + 1 < pages ? `c${n + 1}` : null });
  };
  return { source, calls };
}

/** A PageReaderChannel whose far end is `servePages` on the other port of a MessageChannel. */
function channelTo(source: PageSource): PageReaderChannel & { starts: number; kill(): void } {
  let onExit: ((error: Error) => void) | undefined;
  let port: MessageChannel['port1'] | undefined;
  const channel = {
    starts: 0,
    send: (command: Parameters<PageReaderChannel['send']>[0]) => port?.postMessage(command),
    start(onEvent: Parameters<PageReaderChannel['start']>[0], exit: (error: Error) => void) {
      const pair = new MessageChannel();
      servePages(pair.port2 as unknown as CommandPort, source);
      port = pair.port1;
      port.on('message', onEvent);
      onExit = exit;
      channel.starts += 1;
      return () => {
        pair.port1.close();
        pair.port2.close();
        return Promise.resolve();
      };
    },
    kill: () => onExit?.(new Error('killed')),
  };
  return channel;
}

const asIs = (page: SubscriberPage) => Promise.resolve(page);

async function readAll(stream: { next(): Promise<SubscriberPage> }): Promise<SubscriberPage[]> {
  const pages: SubscriberPage[] = [];
  for (;;) {
    const page = await stream.next();
    pages.push(page);
    if (page.next === null) return pages;
  }
}

describe('PageReaderThread and servePages (real MessageChannel)', () => {
  let reader: PageReaderThread;
  afterEach(() => reader.onModuleDestroy());

  it('hands over every page in cursor order, each prepared once', async () => {
    const { source } = pagedSource(25);
    reader = new PageReaderThread(channelTo(source));
    let prepared = 0;
    const stream = reader.open('client', 2, null, 3, (page) => {
      prepared += 1;
      return Promise.resolve(page);
    });
    const pages = await readAll(stream);
    expect(pages.map((p) => p.next)).toEqual([...Array.from({ length: 24 }, (_, i) => `c${i + 1}`), null]);
    expect(pages[7]!.subscribers[1]).toEqual({ id: 'client-7-1', phoneNumber: '+199900071', locale: 'en-US' });
    expect(prepared).toBe(25);
    expect(stream.continuesAt(null)).toBe(false);
    await expect(stream.next()).rejects.toThrow('no page left');
  });

  it('reads at most `ahead` pages beyond what was taken, and a step continues where the last one stopped', async () => {
    const { source, calls } = pagedSource(1000);
    reader = new PageReaderThread(channelTo(source));
    const stream = reader.open('client', 2, null, 4, asIs);
    for (let i = 0; i < 5; i += 1) await stream.next();
    expect(stream.continuesAt('c5')).toBe(true);
    expect(stream.continuesAt('c4')).toBe(false);
    // A round trip on the same channel: everything sent before it has been handled.
    await reader.open('other', 2, 'c998', 1, asIs).next();
    const forFirst = calls.filter((after) => after === null || Number(after.slice(1)) < 998);
    // 5 taken, up to 4 handed over and not taken, up to 4 more read ahead by the stream itself.
    expect(forFirst.length).toBeGreaterThanOrEqual(9);
    expect(forFirst.length).toBeLessThanOrEqual(5 + 4 + 4 + 1);
  });

  it('keeps the class of gateway errors across the thread: refused is permanent, unavailable transient', async () => {
    const refused = new GatewayBusinessError('ClientSubscribersPage', 'ClientNotFoundError', 'the client does not exist');
    reader = new PageReaderThread(channelTo(pagedSource(10, { page: 0, error: refused }).source));
    const error = await reader
      .open('client', 2, null, 2, asIs)
      .next()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayBusinessError);
    expect(error).toMatchObject({ errorType: 'ClientNotFoundError', message: refused.message, transient: false });

    const down = new GatewayUnavailableError('ClientSubscribersPage', 'http-status', 'HTTP 503', 503);
    const other = new PageReaderThread(channelTo(pagedSource(10, { page: 3, error: down }).source));
    const stream = other.open('client', 2, null, 2, asIs);
    await stream.next();
    await stream.next();
    await stream.next();
    const failure = await stream.next().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(GatewayUnavailableError);
    expect(failure).toMatchObject({ reason: 'http-status', status: 503, message: down.message });
    expect(stream.continuesAt('c3')).toBe(false);
    await other.onModuleDestroy();
  });

  it('starts the thread with the app, once', async () => {
    const channel = channelTo(pagedSource(3).source);
    reader = new PageReaderThread(channel);
    reader.onApplicationBootstrap();
    expect(channel.starts).toBe(1);
    expect(await readAll(reader.open('client', 2, null, 2, asIs))).toHaveLength(3);
    expect(channel.starts).toBe(1);
  });

  it('fails the open streams when the thread is lost, and starts a new thread for the next stream', async () => {
    const channel = channelTo(pagedSource(50).source);
    reader = new PageReaderThread(channel);
    const stream = reader.open('client', 2, null, 2, asIs);
    await stream.next();
    channel.kill();
    await expect(readAll(stream)).rejects.toThrow('page reading failed: killed');
    const again = await readAll(reader.open('client', 2, 'c40', 2, asIs));
    expect(again).toHaveLength(10);
    expect(channel.starts).toBe(2);
  });
});
