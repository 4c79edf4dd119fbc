import { Inject, Injectable } from '@nestjs/common';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import { PageStream } from './page-stream.js';
import { SubscriberPager } from './subscriber-pager.js';

/** Streams kept between steps: one per broadcast a partition of this process is working on. */
const MAX_STREAMS = 64;

/**
 * The open page streams by broadcast, so a broadcast's next step picks up the pages its previous
 * step already asked for. A step whose cursor does not match (a retry, another process's step)
 * gets a fresh stream.
 */
@Injectable()
export class PageStreams {
  private readonly streams = new Map<string, PageStream>();

  constructor(
    private readonly pager: SubscriberPager,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
  ) {}

  open(broadcastId: string, clientId: string, cursor: string | null): PageStream {
    const kept = this.streams.get(broadcastId);
    if (kept?.continuesAt(cursor)) return kept;
    const stream = new PageStream(this.pager, clientId, this.config.pageSize, cursor, this.config.readAheadPages);
    this.streams.delete(broadcastId);
    this.streams.set(broadcastId, stream);
    if (this.streams.size > MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
    return stream;
  }

  close(broadcastId: string): void {
    this.streams.delete(broadcastId);
  }

  /** Broadcasts this process is fanning out (for the in-flight gauge). */
  get size(): number {
    return this.streams.size;
  }
}
