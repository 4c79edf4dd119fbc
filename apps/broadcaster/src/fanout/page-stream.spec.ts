import { PageStream } from './page-stream.js';
import type { SubscriberPage } from './subscriber-pager.js';

/** A gateway of `pages` pages whose cursors are the page numbers; records every request. */
function fakeSource(pages: number) {
  const requested: (string | null)[] = [];
  const source = (_client: string, _size: number, after: string | null): Promise<SubscriberPage> => {
    requested.push(after);
    const n = after === null ? 1 : Number(after) + 1;
    return Promise.resolve({
      subscribers: [{ id: `s${n}`, phoneNumber: '+15550000000', locale: undefined }],
      next: n < pages ? String(n) : null,
    });
  };
  return { source, requested };
}

describe('PageStream', () => {
  it('asks for the next page while the previous one is still being prepared', async () => {
    const { source, requested } = fakeSource(5);
    const preparations: (() => void)[] = [];
    const prepare = (page: SubscriberPage) => new Promise<SubscriberPage>((resolve) => preparations.push(() => resolve(page)));
    const stream = new PageStream(source, 'client', 1, null, 3, prepare);

    await new Promise((resolve) => setImmediate(resolve));
    expect(requested).toEqual([null, '1', '2']);
    expect(preparations).toHaveLength(3);

    preparations[0]!();
    await expect(stream.next()).resolves.toMatchObject({ subscribers: [{ id: 's1' }], next: '1' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(requested).toEqual([null, '1', '2', '3']);
  });

  it('is dead after a failed preparation, so the step retries on a new stream', async () => {
    const { source } = fakeSource(3);
    const stream = new PageStream(source, 'client', 1, null, 2, () => Promise.reject(new Error('Redis is down')));
    await expect(stream.next()).rejects.toThrow('Redis is down');
    expect(stream.continuesAt(null)).toBe(false);
  });
});
