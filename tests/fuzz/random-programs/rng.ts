//! A small seeded random number generator (sfc32, seeded through splitmix32), so a
//! generated program depends on its seed and nothing else: the same seed gives the same
//! program on every machine and every run.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    if (hi < lo) throw new Error(`Rng.int: empty range [${lo}, ${hi}]`);
    const span = hi - lo + 1;
    if (span > 0x100000000) throw new Error("Rng.int: range too wide");
    return lo + Math.floor((this.next() / 0x100000000) * span);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick: no items");
    return items[this.int(0, items.length - 1)]!;
  }

  /** One of `choices`, each with its weight (weights ≤ 0 never chosen). */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    const total = choices.reduce((sum, [, w]) => sum + Math.max(0, w), 0);
    if (total <= 0) throw new Error("Rng.weighted: no positive weight");
    let point = (this.next() / 0x100000000) * total;
    for (const [value, w] of choices) {
      if (w <= 0) continue;
      if (point < w) return value;
      point -= w;
    }
    return choices.filter(([, w]) => w > 0).at(-1)![0];
  }

  /** `bits` uniformly random bits as a non-negative bigint. */
  bits(bits: number): bigint {
    let value = 0n;
    for (let done = 0; done < bits; done += 32) value = (value << 32n) | BigInt(this.next());
    return value & ((1n << BigInt(bits)) - 1n);
  }

  /** A new generator whose sequence depends only on this one's next output. */
  fork(): Rng {
    return new Rng(this.next());
  }
}
