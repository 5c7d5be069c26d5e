/**
 * Work units of a parallel task: each thread claims units until none are left (threads.ts hands out
 * the claims; one thread alone just counts). Units must partition the output, each computed the same
 * way whoever runs it, so results are bit-identical on any number of threads.
 */
/** How a task gets its work units: `claim(n)` returns a unit index below n, or -1 when none are left. */
export interface Scheduler {
  units: number;
  claim(n: number): number;
  /** Called after each claimed unit, finished or failed. */
  done(n: number): void;
}

/** Runs fn(u) for every unit this thread claims; returns the task's unit count. */
export function forUnits(s: Scheduler, n: number, fn: (u: number) => void): number {
  for (let u = s.claim(n); u >= 0; u = s.claim(n)) {
    try {
      fn(u);
    } finally {
      s.done(n);
    }
  }
  return n;
}

/** Most units a task is cut into (the claim word holds 16 bits). */
export const MAX_UNITS = 4096;

/** Runs fn(i) for items [0, total), grouped into at most MAX_UNITS consecutive runs per unit. */
export function forItems(s: Scheduler, total: number, fn: (i: number) => void): number {
  const units = Math.min(total, MAX_UNITS);
  return forUnits(s, units, (u) => {
    const i1 = Math.floor((total * (u + 1)) / units);
    for (let i = Math.floor((total * u) / units); i < i1; i++) fn(i);
  });
}
