/**
 * Collects the items added in one event-loop turn and handles them together (one transaction, one
 * Redis round-trip), while each caller still gets its own result or error. When the batch as a
 * whole fails, each item is retried alone through `single`, so one bad item fails only itself.
 * @example const writes = new TurnBatch((ws: (() => number)[]) => db.transaction(() => ws.map((w) => w()))(), (w) => w())
 */
export class TurnBatch<I, O> {
  private items: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly many: (items: I[]) => O[] | Promise<O[]>,
    private readonly single: (item: I) => O | Promise<O>,
  ) {}

  /** Items waiting for this turn's flush. */
  get size(): number {
    return this.items.length;
  }

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.items.push({ item, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.items;
    this.items = [];
    let out: O[] | Promise<O[]>;
    try {
      out = this.many(batch.map((b) => b.item));
    } catch (err) {
      void this.oneByOne(batch, err);
      return;
    }
    // A synchronous `many` (SQLite) resolves its callers in this turn; an async one when it settles.
    if (Array.isArray(out)) batch.forEach((b, i) => b.resolve(out[i]!));
    else
      out.then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (err: unknown) => void this.oneByOne(batch, err),
      );
  }

  private async oneByOne(batch: typeof this.items, err: unknown): Promise<void> {
    if (batch.length === 1) return batch[0]!.reject(err);
    for (const b of batch) {
      try {
        b.resolve(await this.single(b.item));
      } catch (e) {
        b.reject(e);
      }
    }
  }
}
