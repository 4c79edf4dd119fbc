import fc from 'fast-check';
import { OffsetTracker } from './offset-tracker.js';

describe('OffsetTracker', () => {
  it('commits only up to the highest contiguous finished offset', () => {
    const tracker = new OffsetTracker(['10', '11', '12', '13']);
    expect(tracker.commitOffset).toBeUndefined();
    tracker.finish(1);
    tracker.finish(3);
    expect(tracker.commitOffset).toBeUndefined();
    tracker.finish(0);
    expect(tracker.highestContiguous).toBe('11');
    expect(tracker.commitOffset).toBe('12');
    tracker.finish(2);
    expect(tracker.commitOffset).toBe('14');
    expect(tracker.allFinished).toBe(true);
  });

  it('handles gaps in offsets (compacted topics, transaction markers) and 64-bit offsets', () => {
    const tracker = new OffsetTracker(['9007199254740993', '9007199254740995']);
    tracker.finish(0);
    expect(tracker.commitOffset).toBe('9007199254740994');
    tracker.finish(1);
    expect(tracker.commitOffset).toBe('9007199254740996');
  });

  it('never commits past an unfinished message, whatever the finishing order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()]))),
        ([n, finished]) => {
          const tracker = new OffsetTracker([...Array(n).keys()].map((i) => String(100 + i)));
          finished.forEach((i) => tracker.finish(i));
          const done = new Set(finished);
          let prefix = 0;
          while (done.has(prefix)) prefix++;
          expect(tracker.commitOffset).toBe(prefix === 0 ? undefined : String(100 + prefix));
        },
      ),
    );
  });
});
