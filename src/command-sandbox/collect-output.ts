/**
 * Keeps the head and the tail of a stream within a fixed number of bytes,
 * however much is written, and counts what was dropped in between.
 */
export class OutputCollector {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;

  /** Keeps at most `limitBytes`: a quarter from the start, the rest from the end. */
  constructor(limitBytes: number) {
    this.headLimit = Math.floor(limitBytes / 4);
    this.tailLimit = limitBytes - this.headLimit;
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.headLimit) {
      const take = chunk.subarray(0, this.headLimit - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Drop whole chunks from the front while the rest still fills the tail.
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0] as Buffer).length >= this.tailLimit) {
      this.tailBytes -= (this.tail.shift() as Buffer).length;
    }
  }

  /** Bytes written in all. */
  get bytes(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headBytes + Math.min(this.tailBytes, this.tailLimit);
  }

  /** The kept text, with a line saying how much was left out when anything was. */
  text(): string {
    const tail = Buffer.concat(this.tail);
    const kept = tail.subarray(Math.max(0, tail.length - this.tailLimit));
    const head = Buffer.concat(this.head).toString("utf8");
    if (!this.truncated) return head + kept.toString("utf8");
    const dropped = this.total - this.headBytes - kept.length;
    return `${head}\n[... ${dropped} bytes of output left out (${this.total} in all); the start and the end are shown ...]\n${kept.toString("utf8")}`;
  }
}
