/**
 * Tracks which messages of one partition batch are finished, to commit only up to the highest
 * offset below which everything is finished ("contiguous"). Offsets are 64-bit, kept as bigint.
 */
export class OffsetTracker {
  private readonly offsets: bigint[];
  private readonly done: boolean[];
  /** Index of the first unfinished message. */
  private frontier = 0;

  constructor(offsets: readonly string[]) {
    this.offsets = offsets.map((o) => BigInt(o));
    this.done = new Array<boolean>(offsets.length).fill(false);
  }

  /** Marks the message at `index` (its position in the batch) finished. */
  finish(index: number): void {
    this.done[index] = true;
    while (this.frontier < this.done.length && this.done[this.frontier]) this.frontier += 1;
  }

  /** Offset of the last message of the contiguous finished prefix, or undefined if none. */
  get highestContiguous(): string | undefined {
    return this.frontier === 0 ? undefined : this.offsets[this.frontier - 1]!.toString();
  }

  /** The offset to commit (the next one to read), or undefined if nothing is finished. */
  get commitOffset(): string | undefined {
    return this.frontier === 0 ? undefined : (this.offsets[this.frontier - 1]! + 1n).toString();
  }

  get allFinished(): boolean {
    return this.frontier === this.done.length;
  }

  get finishedCount(): number {
    return this.done.filter(Boolean).length;
  }
}
