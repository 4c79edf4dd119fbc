import type { PageSource, SubscriberPage } from './subscriber-pager.js';

/** What is done to a page before the fan-out takes it (the opt-out look-up); it may not change the cursor. */
export type PagePreparation = (page: SubscriberPage) => Promise<SubscriberPage>;

/**
 * The pages of one broadcast, read ahead: as soon as a page arrives the request for the next one
 * leaves (up to `ahead` pages buffered), so the gateway keeps working while the fan-out produces
 * to Kafka and while a step commits. The request for the next page leaves as soon as the gateway
 * has answered, before the page is prepared: the cursor chain is the fan-out's critical path, so
 * nothing else waits in it. A stream outlives the step that opened it: the next step of
 * the same broadcast continues it when it starts at the stream's position. After a failed page
 * the stream is dead; the step retries on a new one.
 */
export class PageStream {
  /** Cursor the next page returned by `next()` starts after. */
  position: string | null;
  private readonly queue: Promise<SubscriberPage>[] = [];
  /** Where fetching stopped because the buffer was full. */
  private resumeAfter: string | null | undefined;
  private failed = false;

  constructor(
    private readonly source: PageSource,
    readonly clientId: string,
    private readonly pageSize: number,
    start: string | null,
    private readonly ahead = 2,
    private readonly prepare: PagePreparation = (page) => Promise.resolve(page),
  ) {
    this.position = start;
    this.fetchFrom(start);
  }

  /** Usable by a step that starts after `cursor`. */
  continuesAt(cursor: string | null): boolean {
    return !this.failed && this.position === cursor && (this.queue.length > 0 || this.resumeAfter !== undefined);
  }

  async next(): Promise<SubscriberPage> {
    const head = this.queue.shift();
    if (!head) throw new Error('the page stream has no page left');
    if (this.resumeAfter !== undefined) {
      const after = this.resumeAfter;
      this.resumeAfter = undefined;
      this.fetchFrom(after);
    }
    const page = await head;
    this.position = page.next;
    return page;
  }

  private fetchFrom(after: string | null): void {
    const fetched = this.source(this.clientId, this.pageSize, after);
    const prepared = fetched.then(this.prepare);
    this.queue.push(prepared);
    const fail = () => {
      this.failed = true;
    };
    prepared.catch(fail);
    fetched.then((p) => {
      if (p.next === null || this.failed) return;
      if (this.queue.length < this.ahead) this.fetchFrom(p.next);
      else this.resumeAfter = p.next;
    }, fail);
  }
}
