import { Inject, Injectable, Optional } from '@nestjs/common';
import { PHONE_CIPHER } from '@app/shared/crypto/phone-cipher.module.js';
import { tryResolvePhoneNumber, type PhoneCipher } from '@app/shared/crypto/phone-cipher.js';
import { OptOutRegistry } from '@app/shared/opt-out/opt-out.registry.js';
import { fanoutConfig, type FanoutConfig } from '../config/broadcaster.config.js';
import type { PagePreparation } from './page-stream.js';
import { PageReaderThread, type ThreadedPageStream } from './page-reader.thread.js';
import type { SubscriberPage } from './subscriber-pager.js';

/** Streams kept between steps: one per broadcast a partition of this process is working on. */
const MAX_STREAMS = 64;

/**
 * The open page streams by broadcast, so a broadcast's next step picks up the pages its previous
 * step already asked for. A step whose cursor does not match (a retry, another process's step)
 * gets a fresh stream.
 */
@Injectable()
export class PageStreams {
  private readonly streams = new Map<string, ThreadedPageStream>();
  private readonly prepare: PagePreparation;

  constructor(
    private readonly reader: PageReaderThread,
    private readonly optOuts: OptOutRegistry,
    @Inject(fanoutConfig.KEY) private readonly config: FanoutConfig,
    @Optional() @Inject(PHONE_CIPHER) private readonly cipher?: PhoneCipher,
  ) {
    this.prepare = (page) => this.withoutOptedOut(page);
  }

  open(broadcastId: string, clientId: string, cursor: string | null): ThreadedPageStream {
    const kept = this.streams.get(broadcastId);
    if (kept?.continuesAt(cursor)) return kept;
    this.close(broadcastId);
    const stream = this.reader.open(clientId, this.config.pageSize, cursor, this.config.readAheadPages, this.prepare);
    this.streams.set(broadcastId, stream);
    if (this.streams.size > MAX_STREAMS) this.close(this.streams.keys().next().value!);
    return stream;
  }

  /**
   * Marks the subscribers who texted STOP (or whose number Twilio refused with 21610): they get
   * no SendSms and are not counted as sent. Looked up with the page, while it is read ahead.
   */
  private async withoutOptedOut(page: SubscriberPage): Promise<SubscriberPage> {
    const numbered = page.subscribers.flatMap((subscriber) => {
      const phone = subscriber.phoneNumber ? plainPhone(subscriber.phoneNumber, this.cipher) : undefined;
      return phone ? [{ subscriber, phone }] : [];
    });
    const optedOut = await this.optOuts.areOptedOut(numbered.map((n) => n.phone));
    numbered.forEach((n, i) => {
      if (optedOut[i]) n.subscriber.optedOut = true;
    });
    return page;
  }

  close(broadcastId: string): void {
    this.streams.get(broadcastId)?.close();
    this.streams.delete(broadcastId);
  }

  /** Broadcasts this process is fanning out (for the in-flight gauge). */
  get size(): number {
    return this.streams.size;
  }
}

/** The plain number to look up; undefined when it cannot be read (the notifier dead-letters such a SendSms). */
function plainPhone(stored: string, cipher: PhoneCipher | undefined): string | undefined {
  const resolved = tryResolvePhoneNumber(stored.trim(), cipher);
  return resolved.ok ? resolved.value : undefined;
}
