/**
 * A map bounded by the total weight of what it holds (bytes, characters,
 * entries), least recently used first out. A value heavier than `maxOne` is
 * not kept, and a key is kept once: what is cached never changes under its key.
 */
export class WeightedCache<V> {
  private readonly values = new Map<string, V>();
  private total = 0;

  constructor(
    private readonly weigh: (value: V) => number,
    private readonly maxTotal: number,
    private readonly maxOne: number = maxTotal,
  ) {}

  /** The value under `key`, now the most recently used; undefined when none is kept. */
  get(key: string): V | undefined {
    const value = this.values.get(key);
    if (value !== undefined) {
      this.values.delete(key);
      this.values.set(key, value);
    }
    return value;
  }

  /** Keeps `value` unless it is too heavy or `key` is kept already; the least recently used go while over the total. */
  set(key: string, value: V): void {
    const weight = this.weigh(value);
    if (weight > this.maxOne || this.values.has(key)) return;
    this.values.set(key, value);
    this.total += weight;
    for (const [old, kept] of this.values) {
      if (this.total <= this.maxTotal) break;
      this.values.delete(old);
      this.total -= this.weigh(kept);
    }
  }
}
