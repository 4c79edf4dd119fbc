import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GatewayConfig } from '@app/shared/config/gateway.env.js';
import type { TracingConfig } from '@app/shared/config/tracing.env.js';
import { traceHeaders } from '@app/shared/tracing/spans.js';
import type { PagePreparation } from './page-stream.js';
import { fromWireError, type PageReaderCommand, type PageReaderEvent } from './page-reading.protocol.js';
import { subscriberPageQuery } from './subscriber-page.query.js';
import type { SubscriberPage } from './subscriber-pager.js';

/** The two ends of the page-reading thread, as the fan-out sees them (a Worker, or a MessagePort in tests). */
export interface PageReaderChannel {
  send(command: PageReaderCommand): void;
  /** Calls `onEvent` for each event, `onExit` once if the thread ends. Returns a function that stops it. */
  start(onEvent: (event: PageReaderEvent) => void, onExit: (error: Error) => void): () => Promise<void>;
}

/** The V8 heap the page-reading thread may use: a few pages of subscribers and the HTTP client. */
const THREAD_HEAP_MB = 32;
/** Its young generation: a page's parse garbage; V8's default for a thread is sized for much larger heaps. */
const THREAD_YOUNG_MB = 8;

/**
 * The thread's entry beside this file: the built page-reader.worker.js, or, when the app runs from
 * its TypeScript sources (the in-process e2e tests), the .ts file compiled on load by the same hooks
 * the benches use.
 */
function workerEntry(): { url: URL; execArgv: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./page-reader.worker.js', import.meta.url), execArgv: [] };
  const hooks = fileURLToPath(new URL('../../../../scripts/lib/register-ts.mjs', import.meta.url));
  return { url: new URL('./page-reader.worker.ts', import.meta.url), execArgv: ['--import', hooks] };
}

/** How long a stopping thread may take to export the spans it holds. */
const FLUSH_TIMEOUT_MS = 2_000;

/** Starts page-reader.worker as the thread (with its own tracing SDK when `tracing` has an endpoint). */
export function workerChannel(gateway: GatewayConfig, tracing?: TracingConfig): PageReaderChannel {
  let worker: Worker | undefined;
  return {
    send: (command) => worker?.postMessage(command),
    start(onEvent, onExit) {
      const entry = workerEntry();
      const started = new Worker(entry.url, {
        execArgv: entry.execArgv,
        workerData: { gateway, query: subscriberPageQuery(), tracing: tracing?.endpoint ? tracing : undefined },
        resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: THREAD_YOUNG_MB },
      });
      worker = started;
      started.on('message', onEvent);
      started.on('error', (err) => onExit(err));
      started.on('exit', (code) => onExit(new Error(`the page-reading thread exited (code ${code})`)));
      started.unref();
      return async () => {
        started.removeAllListeners();
        await flushed(started);
        await started.terminate();
      };
    },
  };
}

/** Asks the thread to export its spans and waits for the answer, at most FLUSH_TIMEOUT_MS. */
function flushed(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.on('message', (event: PageReaderEvent) => {
      if (event.type === 'flushed') done();
    });
    worker.once('exit', done);
    worker.postMessage({ type: 'flush' } satisfies PageReaderCommand);
  });
}

export const PAGE_READER_CHANNEL = Symbol('PAGE_READER_CHANNEL');

/**
 * Reads subscriber pages on a thread of its own. The fan-out's main thread encodes and produces
 * every SendSms and is busy most of the time; when it also followed the cursor chain, each page
 * request waited for it, and the fan-out ran at 0.4 of a bare page-through. On its own thread the
 * chain runs at the gateway's pace while the main thread produces (docs/benchmarks.md).
 */
@Injectable()
export class PageReaderThread implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PageReaderThread.name);
  private readonly streams = new Map<number, ThreadedPageStream>();
  private nextId = 1;
  private stop: (() => Promise<void>) | undefined;

  constructor(@Inject(PAGE_READER_CHANNEL) private readonly channel: PageReaderChannel) {}

  /** A stream of `clientId`'s subscriber pages after `after`, each prepared as it arrives. */
  open(clientId: string, pageSize: number, after: string | null, ahead: number, prepare: PagePreparation): ThreadedPageStream {
    this.ensureStarted();
    const id = this.nextId++;
    const stream = new ThreadedPageStream(after, prepare, {
      take: () => this.channel.send({ type: 'take', stream: id }),
      close: () => {
        this.streams.delete(id);
        this.channel.send({ type: 'close', stream: id });
      },
    });
    this.streams.set(id, stream);
    this.channel.send({ type: 'open', stream: id, clientId, pageSize, after, ahead, trace: traceHeaders() });
    return stream;
  }

  /** Started with the app, so the first broadcast does not wait for the thread to load and log in. */
  onApplicationBootstrap(): void {
    this.ensureStarted();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop?.();
    this.stop = undefined;
  }

  private ensureStarted(): void {
    this.stop ??= this.channel.start(
      (event) => {
        if (event.type !== 'flushed') this.streams.get(event.stream)?.receive(event);
      },
      (error) => this.lost(error),
    );
  }

  /** The thread died: every open stream fails (its step retries on a new one, on a new thread). */
  private lost(error: Error): void {
    this.logger.error(`page-reading thread lost: ${error.message}`);
    void this.stop?.();
    this.stop = undefined;
    for (const stream of this.streams.values())
      stream.receive({ type: 'error', stream: 0, error: { kind: 'other', message: error.message } });
    this.streams.clear();
  }
}

interface StreamControl {
  take(): void;
  close(): void;
}

/**
 * One broadcast's pages as the page-reading thread hands them over, in cursor order. Each page is
 * prepared (the opt-out look-up) as soon as it arrives, so that overlaps with producing the pages
 * before it. After a failure the stream is dead; the step retries on a new one.
 */
export class ThreadedPageStream {
  /** Cursor the next page returned by `next()` starts after. */
  position: string | null;
  private readonly arrived: Promise<SubscriberPage>[] = [];
  private readonly waiting: Array<(page: Promise<SubscriberPage>) => void> = [];
  private failed = false;
  private exhausted = false;

  constructor(
    start: string | null,
    private readonly prepare: PagePreparation,
    private readonly control: StreamControl,
  ) {
    this.position = start;
  }

  /** Usable by a step that starts after `cursor`. */
  continuesAt(cursor: string | null): boolean {
    return !this.failed && !this.exhausted && this.position === cursor;
  }

  async next(): Promise<SubscriberPage> {
    if (this.exhausted) throw new Error('the page stream has no page left');
    const head = this.arrived.shift() ?? new Promise<SubscriberPage>((resolve) => this.waiting.push(resolve));
    this.control.take();
    const page = await head;
    this.position = page.next;
    this.exhausted = page.next === null;
    return page;
  }

  close(): void {
    this.control.close();
  }

  receive(event: Extract<PageReaderEvent, { stream: number }>): void {
    const page = event.type === 'page' ? this.prepare(event.page) : Promise.reject(fromWireError(event.error));
    page.catch(() => {
      this.failed = true;
    });
    const waiter = this.waiting.shift();
    if (waiter) waiter(page);
    else this.arrived.push(page);
  }
}
