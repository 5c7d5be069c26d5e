/** Progress display: a redrawn bar with ETA and live loss on a TTY, plain periodic lines otherwise. */
import type { TrainEvent } from "../train/index.js";

export function progressPrinter(totalSteps: number, stream: NodeJS.WriteStream = process.stdout): (e: TrainEvent) => void {
  const tty = stream.isTTY === true;
  const t0 = Date.now();
  let lastPlain = 0;
  return (e) => {
    if (e.type === "step") {
      const frac = Math.min(1, e.step / Math.max(totalSteps, 1));
      const elapsed = (Date.now() - t0) / 1000;
      const eta = frac > 0 ? elapsed * (1 / frac - 1) : NaN;
      const info = `step ${e.step}/${totalSteps} epoch ${e.epoch + 1} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} ${e.imagesPerSecond.toFixed(0)} img/s ETA ${fmtTime(eta)}`;
      if (tty) {
        const width = 24;
        const fill = Math.round(frac * width);
        stream.write(`\r[${"#".repeat(fill)}${".".repeat(width - fill)}] ${(100 * frac).toFixed(0).padStart(3)}% ${info}\x1b[K`);
      } else if (Date.now() - lastPlain > 5000 || e.step === totalSteps) {
        lastPlain = Date.now();
        stream.write(`${info}\n`);
      }
    } else if (e.type === "epoch") {
      if (tty) stream.write("\r\x1b[K");
      const val = e.valAccuracy !== undefined ? ` val loss ${e.valLoss?.toFixed(4)} val acc ${(100 * e.valAccuracy).toFixed(2)}%` : "";
      stream.write(`epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(4)} acc ${(100 * e.trainAccuracy).toFixed(2)}%${val} (${e.seconds.toFixed(1)} s)\n`);
    } else if (e.type === "message") {
      stream.write(`${tty ? "\r\x1b[K" : ""}[${e.level}] ${e.text}\n`);
    }
  };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${Math.round(s)}s`;
}
