/**
 * A small seeded PRNG (mulberry32): the fuzzer and the random kill points must replay exactly, so a
 * failure found in CI can be reproduced from its seed alone.
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/** The seed from SIGTRAIL_FUZZ_SEED, else the given default (printed by tests so a run can be replayed). */
export function seedFromEnv(fallback: number): number {
  const v = Number(process.env.SIGTRAIL_FUZZ_SEED);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}
