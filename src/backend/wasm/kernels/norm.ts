/**
 * Fused batch normalization on contiguous float32 [N,C,S] (S = H*W): one read pass for the
 * statistics, one read + write pass to normalize; backward one read pass over (gy, x) for the two
 * per-channel sums and one for gx. Per-channel constants are folded in float64 in JS (C values) and
 * the Wasm loops only see `(x - m) * a + b` and `a*gy + b*(x - m) + c`.
 *
 * Sums run in float32 SIMD lanes along each [n, c] row (eight partial sums of ~S/8 terms) and are
 * added to a float64 per-channel total after each row, so the error stays near float32 rounding of
 * a short sum. The variance is taken around a shift K = x[0, c, 0] (Welford-free "shifted data"
 * algorithm, Chan, Golub & LeVeque 1983, "Algorithms for computing the sample variance"): with
 * d = x - K, var = E[d^2] - E[d]^2 avoids the cancellation of E[x^2] - E[x]^2 when |mean| >> std.
 */
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import { runSplit } from "../parallel.js";
import { addr, allF32, withTemp, type Fast, type FastContext } from "../views.js";

type Geom = [N: number, C: number, S: number];
export interface NormExports {
  /** acc[2c] += sum(x - K[c]), acc[2c+1] += sum((x - K[c])^2) over channel c (f64 acc, f32 K). */
  bn_sums(x: number, N: number, C: number, S: number, K: number, acc: number): void;
  /** acc[2c] += sum(gy), acc[2c+1] += sum(gy * (x - m[c])). */
  bn_grad_sums(gy: number, x: number, N: number, C: number, S: number, m: number, acc: number): void;
  /** y = (x - p[3c]) * p[3c+1] + p[3c+2]. */
  bn_apply(x: number, y: number, N: number, C: number, S: number, p: number): void;
  /** gx = p[4c+1] * gy + p[4c+2] * (x - p[4c]) + p[4c+3]. */
  bn_bwd(gy: number, x: number, gx: number, N: number, C: number, S: number, p: number): void;
}

/**
 * Loops n < N, c < C over rows of S floats: `row(c4)` emits the body with `c4` = c * 4 bytes; the row
 * pointers in `ptrs` advance by S floats per row.
 */
function eachRow(f: Fn, N: Local, C: Local, S: Local, ptrs: readonly Local[], row: (c: Local) => void): void {
  const [n, c, rowBytes] = f.locals(3);
  f.i(S).i(2).op("i32.shl").set(rowBytes);
  f.for(n, 0, N, 1, () => {
    f.for(c, 0, C, 1, () => {
      row(c);
      for (const p of ptrs) f.inc(p, rowBytes);
    });
  });
}

/**
 * Sums two per-element terms along a row of S floats: `terms(vec, off, p)` pushes t then s (vectors
 * when `vec`) for the element `off` bytes past the working pointers `p` (copies of `ptrs`). Totals
 * are added to acc[2c] (s) and acc[2c+1] (t) as float64.
 */
function rowSums(f: Fn, S: Local, acc: Local, c: Local, ptrs: readonly Local[], terms: (vec: boolean, off: number, p: readonly Local[]) => void): void {
  const [j, q] = f.locals(2);
  const [s0, s1, t0, t1] = f.locals(4, "v128");
  const ss = f.local("f32"), ts = f.local("f32");
  const p = ptrs.map(() => f.local());
  ptrs.forEach((src, k) => f.mov(p[k], src));
  for (const v of [s0, s1, t0, t1]) f.v128zero().set(v);
  f.f(0).set(ss).f(0).set(ts).mov(j, S);
  // Stack after terms(): t, s. Two vector accumulators each, for latency.
  f.while(() => f.i(j).i(8).op("i32.ge_s"), () => {
    terms(true, 0, p); f.get(s0).op("f32x4.add").set(s0).get(t0).op("f32x4.add").set(t0);
    terms(true, 16, p); f.get(s1).op("f32x4.add").set(s1).get(t1).op("f32x4.add").set(t1);
    for (const x of p) f.inc(x, 32);
    f.inc(j, -8);
  });
  f.while(() => f.i(j), () => {
    terms(false, 0, p); f.get(ss).op("f32.add").set(ss).get(ts).op("f32.add").set(ts);
    for (const x of p) f.inc(x, 4);
    f.inc(j, -1);
  });
  f.get(s0).get(s1).op("f32x4.add").set(s0).get(t0).get(t1).op("f32x4.add").set(t0);
  // acc[2c] += s, acc[2c+1] += t, each lane widened to f64.
  f.i(c).i(4).op("i32.shl").i(acc).op("i32.add").set(q);
  const total = (vec: Local, scalar: Local, at: number): void => {
    f.get(q).get(q).mem("f64.load", at).get(scalar).op("f64.promote_f32").op("f64.add");
    for (let l = 0; l < 4; l++) f.get(vec).lane("f32x4.extract_lane", l).op("f64.promote_f32").op("f64.add");
    f.mem("f64.store", at);
  };
  total(s0, ss, 0);
  total(t0, ts, 8);
}

/** Pushes the f32 (or f32x4 splat) per-channel parameter p[stride*c + k]. */
function param(f: Fn, p: Local, c: Local, stride: number, k: number, vec: boolean): void {
  f.i(c).i(stride * 4).op("i32.mul").i(p).op("i32.add").mem(vec ? "v128.load32_splat" : "f32.load", 4 * k);
}

export function emitNorm(m: ModuleBuilder): void {
  m.fn("bn_sums", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, x, N, C, S, K, acc) => {
    const kv = f.local("v128"), k = f.local("f32"), d = f.local("v128"), ds = f.local("f32");
    eachRow(f, N, C, S, [x], (c) => {
      param(f, K, c, 1, 0, true); f.set(kv);
      param(f, K, c, 1, 0, false); f.set(k);
      // Pushes t = d*d then s = d (the caller adds t first).
      rowSums(f, S, acc, c, [x], (vec, off, [px]) => {
        if (vec) f.get(px).mem("v128.load", off, 0).get(kv).op("f32x4.sub").tee(d).get(d).op("f32x4.mul").get(d);
        else f.get(px).mem("f32.load", off).get(k).op("f32.sub").tee(ds).get(ds).op("f32.mul").get(ds);
      });
    });
  });
  m.fn("bn_grad_sums", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, gy, x, N, C, S, mp, acc) => {
    const mv = f.local("v128"), ms = f.local("f32"), g = f.local("v128"), gs = f.local("f32");
    eachRow(f, N, C, S, [gy, x], (c) => {
      param(f, mp, c, 1, 0, true); f.set(mv);
      param(f, mp, c, 1, 0, false); f.set(ms);
      // t = gy * (x - m), s = gy
      rowSums(f, S, acc, c, [gy, x], (vec, off, [pg, px]) => {
        if (vec) f.get(pg).mem("v128.load", off, 0).tee(g).get(px).mem("v128.load", off, 0).get(mv).op("f32x4.sub").op("f32x4.mul").get(g);
        else f.get(pg).mem("f32.load", off).tee(gs).get(px).mem("f32.load", off).get(ms).op("f32.sub").op("f32.mul").get(gs);
      });
    });
  });
  m.fn("bn_apply", ["i32", "i32", "i32", "i32", "i32", "i32"], [], (f, x, y, N, C, S, p) => {
    const [mv, av, bv] = f.locals(3, "v128");
    const [ms, as, bs] = f.locals(3, "f32");
    const [j, px, py] = f.locals(3);
    eachRow(f, N, C, S, [x, y], (c) => {
      [mv, av, bv].forEach((v, k) => { param(f, p, c, 3, k, true); f.set(v); });
      [ms, as, bs].forEach((v, k) => { param(f, p, c, 3, k, false); f.set(v); });
      f.mov(px, x).mov(py, y).mov(j, S);
      f.while(() => f.i(j).i(4).op("i32.ge_s"), () => {
        f.get(py).get(px).mem("v128.load", 0, 0).get(mv).op("f32x4.sub").get(av).op("f32x4.mul").get(bv).op("f32x4.add").mem("v128.store", 0, 0);
        f.inc(px, 16).inc(py, 16).inc(j, -4);
      });
      f.while(() => f.i(j), () => {
        f.get(py).get(px).mem("f32.load").get(ms).op("f32.sub").get(as).op("f32.mul").get(bs).op("f32.add").mem("f32.store");
        f.inc(px, 4).inc(py, 4).inc(j, -1);
      });
    });
  });
  m.fn("bn_bwd", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], [], (f, gy, x, gx, N, C, S, p) => {
    const [mv, av, bv, cv] = f.locals(4, "v128");
    const [ms, as, bs, cs] = f.locals(4, "f32");
    const [j, pg, px, po] = f.locals(4);
    eachRow(f, N, C, S, [gy, x, gx], (c) => {
      [mv, av, bv, cv].forEach((v, k) => { param(f, p, c, 4, k, true); f.set(v); });
      [ms, as, bs, cs].forEach((v, k) => { param(f, p, c, 4, k, false); f.set(v); });
      f.mov(pg, gy).mov(px, x).mov(po, gx).mov(j, S);
      f.while(() => f.i(j).i(4).op("i32.ge_s"), () => {
        f.get(po).get(pg).mem("v128.load", 0, 0).get(av).op("f32x4.mul");
        f.get(px).mem("v128.load", 0, 0).get(mv).op("f32x4.sub").get(bv).op("f32x4.mul").get(cv).op("f32x4.add").op("f32x4.add").mem("v128.store", 0, 0);
        f.inc(pg, 16).inc(px, 16).inc(po, 16).inc(j, -4);
      });
      f.while(() => f.i(j), () => {
        f.get(po).get(pg).mem("f32.load").get(as).op("f32.mul");
        f.get(px).mem("f32.load").get(ms).op("f32.sub").get(bs).op("f32.mul").get(cs).op("f32.add").op("f32.add").mem("f32.store");
        f.inc(pg, 4).inc(px, 4).inc(po, 4).inc(j, -1);
      });
    });
  });
}

const geom = (shape: readonly number[]): Geom => [shape[0], shape[1], shape.slice(2).reduce((a, b) => a * b, 1)];

/** Runs `fill(params)` on a Float32Array of n scratch floats, then `fn(ptr)` with their address. */
function withParams(c: FastContext, n: number, fill: (p: Float32Array, at: number) => void, fn: (ptr: number) => void): void {
  withTemp(c, n * 4 + 16, (ptr) => {
    fill(c.view("float32") as Float32Array, ptr / 4);
    fn(ptr);
  });
}

/** Per-channel float64 sums [2C] from a kernel writing acc; returns them as a host array. */
function channelSums(c: FastContext, C: number, run: (acc: number) => void): Float64Array {
  // NOTE: copied out (slice) before the scratch is released and reused.
  return withTemp(c, 16 * C + 8, (p0) => {
    const acc = Math.ceil(p0 / 8) * 8;
    c.ex.fill_bytes(acc, 0, 16 * C);
    run(acc);
    return new Float64Array(c.view("float32").buffer, acc, 2 * C).slice();
  });
}

export const batchNormStats: Fast<"batchNormStats"> = (c, [x], out) => {
  if (!allF32([x, out])) return false;
  const [N, C, S] = geom(x.shape), M = N * S;
  const f32 = c.view("float32");
  const K = Float32Array.from({ length: C }, (_, ch) => (M > 0 ? f32[x.offset + ch * S] : 0));
  let sums: Float64Array = new Float64Array(0);
  withParams(c, C, (p, at) => p.set(K, at), (kp) => { sums = channelSums(c, C, (acc) => c.ex.bn_sums(addr(x), N, C, S, kp, acc)); });
  const o = c.view("float32");
  for (let ch = 0; ch < C; ch++) {
    const m = sums[2 * ch] / M;
    o[out.offset + ch] = K[ch] + m;
    o[out.offset + C + ch] = Math.max(0, sums[2 * ch + 1] / M - m * m);
  }
  return true;
};

const invstd = (v: number, eps: number): number => 1 / Math.sqrt(v + eps);

export const batchNorm: Fast<"batchNorm"> = (c, [x, stats, w, b], y, { eps }) => {
  if (!allF32([x, stats, w, b, y])) return false;
  const [N, C, S] = geom(x.shape);
  withParams(c, 3 * C, (p, at) => {
    const m = c.view("float32");
    for (let ch = 0; ch < C; ch++) {
      p[at + 3 * ch] = m[stats.offset + ch];
      p[at + 3 * ch + 1] = m[w.offset + ch] * invstd(m[stats.offset + C + ch], eps);
      p[at + 3 * ch + 2] = m[b.offset + ch];
    }
  }, (pp) => runSplit(c, "bn_apply", { a: addr(x), b: addr(y), c: 0, lead: N, d1: C, d2: S, d3: 0, d4: 0, p: pp }, 2 * N * C * S));
  return true;
};

export const batchNormGradSums: Fast<"batchNormGradSums"> = (c, [gy, x, stats], out, { eps }) => {
  if (!allF32([gy, x, stats, out])) return false;
  const [N, C, S] = geom(x.shape);
  // The means are read in place: stats' first row is [C] contiguous float32.
  const sums = channelSums(c, C, (acc) => c.ex.bn_grad_sums(addr(gy), addr(x), N, C, S, addr(stats), acc));
  const o = c.view("float32");
  for (let ch = 0; ch < C; ch++) {
    o[out.offset + ch] = sums[2 * ch];
    o[out.offset + C + ch] = sums[2 * ch + 1] * invstd(o[stats.offset + C + ch], eps);
  }
  return true;
};

export const batchNormBackward: Fast<"batchNormBackward"> = (c, [gy, x, stats, w, sums], gx, { eps }) => {
  if (!allF32([gy, x, stats, w, sums, gx])) return false;
  const [N, C, S] = geom(x.shape), M = N * S;
  withParams(c, 4 * C, (p, at) => {
    const m = c.view("float32");
    for (let ch = 0; ch < C; ch++) {
      const r = invstd(m[stats.offset + C + ch], eps), k = m[w.offset + ch] * r;
      p[at + 4 * ch] = m[stats.offset + ch];
      p[at + 4 * ch + 1] = k;
      p[at + 4 * ch + 2] = (-k * r * m[sums.offset + C + ch]) / M;
      p[at + 4 * ch + 3] = (-k * m[sums.offset + ch]) / M;
    }
  }, (pp) => runSplit(c, "bn_bwd", { a: addr(gy), b: addr(x), c: addr(gx), lead: N, d1: C, d2: S, d3: 0, d4: 0, p: pp }, 3 * N * C * S));
  return true;
};
