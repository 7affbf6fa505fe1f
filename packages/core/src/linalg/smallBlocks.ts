/**
 * Kernels on the small p × p blocks of L (one per level of a random-effects term), with the
 * closed forms that keep the commonest sizes fast: p = 1 (a random intercept) and p = 2 (an
 * intercept and a slope). Row-major Float64Array blocks at an offset into a larger array.
 */

/** The 2 × 2 block T'AT + I (T lower triangular, A symmetric at src[so..]), written full into dst[do..] (may be src). */
function inflate2(T: Float64Array, src: Float64Array, so: number, dst: Float64Array, dOff: number): void {
  const t00 = T[0]!;
  const t10 = T[2]!;
  const t11 = T[3]!;
  const a00 = src[so]!;
  const a01 = src[so + 1]!;
  const a11 = src[so + 3]!;
  const b00 = a00 * t00 + a01 * t10;
  const b10 = a01 * t00 + a11 * t10;
  const c10 = t11 * b10;
  dst[dOff] = t00 * b00 + t10 * b10 + 1;
  dst[dOff + 1] = c10;
  dst[dOff + 2] = c10;
  dst[dOff + 3] = t11 * a11 * t11 + 1;
}

/**
 * The block T'DT + I of a level (T the term's p × p lower-triangular template, D symmetric at
 * src[so ..]), written full into dst[dOff ..], which may be the same block. `tmp` holds p² values.
 */
export function inflateBlock(T: Float64Array, p: number, src: Float64Array, so: number, dst: Float64Array, dOff: number, tmp: Float64Array): void {
  if (p === 1) {
    const t = T[0]!;
    dst[dOff] = src[so]! * t * t + 1;
  } else if (p === 2) {
    inflate2(T, src, so, dst, dOff);
  } else {
    // Σ_u Σ_v T_ui D_uv T_vj over u ≥ i, v ≥ j (T is lower triangular); read whole before dst is written
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        let acc = i === j ? 1 : 0;
        for (let u = i; u < p; u++) for (let v = j; v < p; v++) acc += T[u * p + i]! * src[so + u * p + v]! * T[v * p + j]!;
        tmp[i * p + j] = acc;
      }
    }
    for (let k = 0; k < p * p; k++) dst[dOff + k] = tmp[k]!;
  }
}

/**
 * Σ log x_i kept as log Π x_i, for the log-determinants (every x_i ≥ 1 there, so the product only
 * grows): the product is moved into the sum by `flush` before it could overflow.
 */
export class LogProduct {
  private sum = 0;
  private prod = 1;
  times(x: number): void {
    this.prod *= x;
  }
  /** Moves the product into the sum once it is large (call after each block). */
  flush(): void {
    if (this.prod > 1e150) {
      this.sum += Math.log(this.prod);
      this.prod = 1;
    }
  }
  get value(): number {
    return this.sum + Math.log(this.prod);
  }
}
