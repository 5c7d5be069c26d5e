/**
 * torch.scatter_add's semantics written out by hand, shared by the scatterAdd tests of every backend:
 * out[.., index[p], ..] += src[p] for every multi-index p of index, with base and src read through
 * their own shapes (the index may be smaller than both off the scatter axis).
 */
export const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const strides = (s: readonly number[]): number[] => s.map((_, i) => size(s.slice(i + 1)));

/** Position in base (o) and in src (q) of each position of the index. */
export function scatterTargets(bs: readonly number[], is: readonly number[], ss: readonly number[], idx: Int32Array, axis: number): { o: number; q: number }[] {
  const [bt, it_, st] = [strides(bs), strides(is), strides(ss)];
  const out: { o: number; q: number }[] = [];
  for (let p = 0; p < idx.length; p++) {
    let o = 0, q = 0;
    for (let d = 0; d < is.length; d++) {
      const c = Math.floor(p / it_[d]) % is[d];
      o += (d === axis ? idx[p] : c) * bt[d];
      q += c * st[d];
    }
    out.push({ o, q });
  }
  return out;
}

export function scatterAddJs(base: Float32Array, bs: number[], idx: Int32Array, is: number[], src: Float32Array, ss: number[], axis: number): Float32Array {
  const out = Float32Array.from(base);
  for (const { o, q } of scatterTargets(bs, is, ss, idx, axis)) out[o] += src[q];
  return out;
}
