/**
 * The event ids a lead has seen, for dropping repeats: remembered for a time window and, beyond it, the most recent
 * few, within a hard cap so a lead's state stays small whatever its traffic. Ids are kept as 64-bit hashes: an id
 * may be up to 255 characters (and may hold an email), a hash is 16 and holds nothing readable.
 */
export interface EventMemorySnapshot {
  /** Hashes, oldest first. */
  ids: string[];
  /** When each was seen (epoch ms), in the same order. */
  at: number[];
}

export interface EventMemoryLimits {
  /** Ids seen within this long are always remembered (unless the cap is hit). */
  windowMs: number;
  /** The most this memory holds; the oldest go first. */
  maxIds: number;
  /** This many of the newest are kept past the window, for leads that are quiet for longer than it. */
  keepRecent: number;
}

export const DEFAULT_EVENT_MEMORY: EventMemoryLimits = {
  windowMs: 7 * 86_400_000,
  maxIds: 10_000,
  keepRecent: 1_000,
};

export class EventMemory {
  private readonly ids: string[];
  private readonly at: number[];
  private readonly index: Set<string>;

  constructor(
    private readonly limits: EventMemoryLimits,
    snapshot?: EventMemorySnapshot,
  ) {
    this.ids = [...(snapshot?.ids ?? [])];
    this.at = [...(snapshot?.at ?? [])];
    this.index = new Set(this.ids);
  }

  has(eventId: string): boolean {
    return this.index.has(hashId(eventId));
  }

  /** Remembers an id seen at `now`, forgetting what the limits no longer cover. */
  add(eventId: string, now: number): void {
    const hash = hashId(eventId);
    if (this.index.has(hash)) return;
    this.ids.push(hash);
    this.at.push(now);
    this.index.add(hash);
    this.prune(now);
  }

  get size(): number {
    return this.ids.length;
  }

  snapshot(): EventMemorySnapshot {
    return { ids: [...this.ids], at: [...this.at] };
  }

  private prune(now: number): void {
    let drop = Math.max(0, this.ids.length - this.limits.maxIds);
    while (drop < this.ids.length - this.limits.keepRecent && (this.at[drop] ?? now) < now - this.limits.windowMs)
      drop++;
    if (drop === 0) return;
    for (const hash of this.ids.splice(0, drop)) this.index.delete(hash);
    this.at.splice(0, drop);
  }
}

/**
 * Two 32-bit FNV-1a passes with different offset bases (the second also mixes in the position), as 16 hex digits.
 * Workflows cannot reach node:crypto. If the passes behave as one 64-bit hash, 10,000 ids on one lead collide with a
 * chance of about 3 in a million million; a collision would drop one event as a repeat.
 */
export function hashId(id: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c ^ (i & 0xff), 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
