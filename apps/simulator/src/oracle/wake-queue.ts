// The oracle's alarm clock: which tenants wait for an instant to pass (a limit a check is waiting on),
// so a check finds the tenants whose limits passed without looking at every tenant. A binary heap by
// instant; an entry is never removed early: the oracle ignores one a later check superseded.

interface Wake {
  readonly at: number;
  readonly tenantId: string;
}

export class WakeQueue {
  private readonly heap: Wake[] = [];

  /** Wake `tenantId` at the first pop at or after `at` (ms). */
  add(at: number, tenantId: string): void {
    const heap = this.heap;
    heap.push({ at, tenantId });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= heap[i].at) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  /** Removes and returns the tenants of every entry at or before `now` (a tenant may come more than once). */
  popUntil(now: number): string[] {
    const out: string[] = [];
    const heap = this.heap;
    while (heap.length > 0 && heap[0].at <= now) {
      out.push(heap[0].tenantId);
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && heap[l].at < heap[min].at) min = l;
        if (r < heap.length && heap[r].at < heap[min].at) min = r;
        if (min === i) break;
        [heap[min], heap[i]] = [heap[i], heap[min]];
        i = min;
      }
    }
    return out;
  }

  get size(): number {
    return this.heap.length;
  }
}
