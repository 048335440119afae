/**
 * Seeded random numbers. A run draws from several independent streams (one per concern, named)
 * so that what one concern consumes never shifts another: the riders who arrive in a simulation
 * are the same whether or not surge is on, and a synthetic history of one seed is the same on
 * every machine. Used by the simulator and by the synthetic history generator.
 */

/** 32-bit FNV-1a of a string: turns a seed and a stream name into a stream's state. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A small, fast, seeded generator (sfc32) with the draws the simulator needs.
 * @example new Random(7, "riders").next() // the same number for seed 7 on every machine
 */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number, stream: string) {
    this.#a = hash32(`${seed}:${stream}:a`);
    this.#b = hash32(`${seed}:${stream}:b`);
    this.#c = hash32(`${seed}:${stream}:c`);
    this.#d = 1;
    // sfc32 needs a few rounds before its output stops resembling its seed.
    for (let i = 0; i < 16; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in (0, 1]: safe under a logarithm. */
  positive(): number {
    return 1 - this.next();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller; one draw per call keeps the stream's use simple to reason about). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(this.positive())) * Math.cos(2 * Math.PI * this.next());
  }

  /** Gamma(2, 1): the sum of two unit exponentials. */
  gamma2(): number {
    return -Math.log(this.positive() * this.positive());
  }

  /**
   * A Poisson count with mean `mean`: Knuth's product method for small means, the PTRS
   * transformed rejection (Hörmann 1993) above, so large means cost O(1).
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k += 1;
        p *= this.next();
      }
      return k;
    }
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * Math.sqrt(mean);
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }

  /** An index drawn with probability proportional to `cumulative[i] - cumulative[i - 1]`. */
  weighted(cumulative: ReadonlyArray<number>): number {
    const total = cumulative[cumulative.length - 1] ?? 0;
    const x = this.next() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** ln(k!) by Stirling's series: exact enough (error < 1e-8 from k = 10) for the rejection test. */
function logFactorial(k: number): number {
  if (k < 10) {
    let f = 0;
    for (let i = 2; i <= k; i++) f += Math.log(i);
    return f;
  }
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * k) - 1 / (360 * k ** 3);
}
