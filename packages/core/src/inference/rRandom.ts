/**
 * R's default random numbers, draw for draw: the Mersenne-Twister generator seeded as R's
 * `set.seed(seed)` seeds it, `unif_rand()` (R's `runif`) and `norm_rand()` by inversion (R's `rnorm`),
 * with R's normal quantile function (Wichura's AS 241, as R's nmath/qnorm.c).
 *
 * With the same seed, `rUniform` and `rNormal` give R's `runif(n)` and `rnorm(n)` exactly, so that
 * a simulation here can reproduce one made in R (lme4's `simulate`, `bootMer`).
 */

/** Number of 32-bit words of the Mersenne-Twister state. */
const N = 624;
/** The twist's middle offset. */
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
/** 1 / (2^32 − 1): R's `i2_32m1`, the margin of `fixup` that keeps uniforms inside (0, 1). */
const I2_32M1 = 2.328306437080797e-10;
/** 2^27: R's `BIG` of inversion, which joins two uniforms into one with 2^-59 resolution. */
const BIG = 134217728;

/** R's random-number state: the Mersenne-Twister words `mt` and the position `mti` in them. */
export class RRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N;

  /** The state of R after `set.seed(seed)` (kinds "Mersenne-Twister" and "Inversion", R's defaults). */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || Math.abs(seed) > 2147483647) throw new RangeError(`seed must be an integer of at most 2147483647 in size, not ${seed}`);
    // R's RNG_Init: the seed as an unsigned 32-bit integer, scrambled 50 times by the LCG, then
    // the LCG fills the state (its first word is R's position dummy[0], set to 624 by FixupSeeds)
    let s = seed >>> 0;
    for (let j = 0; j < 50; j++) s = lcg(s);
    s = lcg(s); // dummy[0], overwritten by the position
    for (let j = 0; j < N; j++) {
      s = lcg(s);
      this.mt[j] = s;
    }
    this.mti = N;
  }

  /** R's `unif_rand()`: MT_genrand, then `fixup` to the open interval (0, 1). */
  unif(): number {
    const x = this.genrand();
    if (x <= 0) return 0.5 * I2_32M1;
    if (1 - x <= 0) return 1 - 0.5 * I2_32M1;
    return x;
  }

  /** R's `norm_rand()` by inversion: two uniforms make u with 2^-59 resolution; the draw is Φ⁻¹(u). */
  norm(): number {
    let u = this.unif();
    u = Math.trunc(BIG * u) + this.unif();
    return qnorm(u / BIG);
  }

  /** Moves past `count` uniforms as if drawn (a normal by inversion takes exactly 2). */
  skipUniforms(count: number): void {
    for (let i = 0; i < count; i++) this.genrand();
  }

  /** R's `runif(n)`. */
  uniform(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.unif();
    return out;
  }

  /** R's `rnorm(n)`. */
  normal(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.norm();
    return out;
  }

  /** R's MT_genrand: the next tempered 32-bit word, times 2^-32, in [0, 1). */
  private genrand(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) mt[kk] = mt[kk + M]! ^ twist(mt[kk]!, mt[kk + 1]!);
      for (; kk < N - 1; kk++) mt[kk] = mt[kk + (M - N)]! ^ twist(mt[kk]!, mt[kk + 1]!);
      mt[N - 1] = mt[M - 1]! ^ twist(mt[N - 1]!, mt[0]!);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return (y >>> 0) * 2.3283064365386963e-10;
  }
}

/** R's seeding congruence: s ← 69069 s + 1 (mod 2^32). */
function lcg(s: number): number {
  return (Math.imul(69069, s) + 1) >>> 0;
}

/** The Mersenne-Twister recurrence's term of words a (upper bit) and b (lower 31 bits). */
function twist(a: number, b: number): number {
  const y = ((a & UPPER_MASK) | (b & LOWER_MASK)) >>> 0;
  return ((y >>> 1) ^ (y & 1 ? MATRIX_A : 0)) >>> 0;
}

/**
 * Φ⁻¹(p), the standard normal quantile (R's `qnorm(p)`), by Wichura's AS 241 as R's nmath/qnorm.c
 * computes it: a rational function of q = p − ½ in the middle, of r = √(−log min(p, 1−p)) in the tails.
 */
export function qnorm(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (
      (q *
        (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r +
          3.387132872796366608)) /
      (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1)
    );
  }
  let r = Math.sqrt(-Math.log(q > 0 ? 1 - p : p));
  let val: number;
  if (r <= 5) {
    r += -1.6;
    val =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
  } else {
    r += -5;
    val =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -val : val;
}
