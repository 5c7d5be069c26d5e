/** `ganglion train --plot`: a tiny CNN run writes its loss/accuracy curves as SVG and PNG. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");

describe("ganglion train --plot", () => {
  it("writes runs/<name>/curves.svg and curves.png from the run's events", () => {
    const runs = mkdtempSync(join(tmpdir(), "ganglion-plot-"));
    try {
      // 2 epochs of 20 steps: step events at 20 and 40 (logged every 20), two epoch events, one test eval.
      const r = spawnSync(process.execPath, [bin, "train", "--dataset", "mnist", "--epochs", "2", "--limit", "640", "--batch-size", "32",
        "--width", "4", "--stats-every", "0", "--runs", runs, "--name", "p", "--plot"], { encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      const dir = join(runs, "p");
      assert.match(r.stdout, new RegExp(`curves: ${join(dir, "curves.svg")}, ${join(dir, "curves.png")}`.replace(/[\\.]/g, "\\$&")));
      assert.ok(existsSync(join(dir, "curves.svg")) && existsSync(join(dir, "curves.png")));

      const svg = readFileSync(join(dir, "curves.svg"), "utf8");
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="1120" height="360"/);
      assert.match(svg, /ganglion train p: loss/);
      assert.match(svg, /train loss \(logged steps\)/);
      assert.match(svg, /test \(\d+\.\d\d%\)/);
      const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1].trim().split(/\s+/));
      assert.ok(lines.length >= 3, `${lines.length} polylines`); // step loss, epoch-mean loss, train accuracy
      for (const pts of lines) assert.ok(pts.length > 1 && pts.every((p) => /^[\d.]+,[\d.]+$/.test(p)), `polyline ${pts.join(" ")}`);

      const bytes = readFileSync(join(dir, "curves.png"));
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [2240, 720]); // IHDR: the SVG's size at 2x
      const img = PNG.sync.read(bytes);
      let ink = 0;
      for (let i = 0; i < img.data.length; i += 4) if (img.data[i] + img.data[i + 1] + img.data[i + 2] < 600) ink++;
      assert.ok(ink > 0.01 * img.width * img.height, `only ${ink} non-white pixels`);
    } finally {
      rmSync(runs, { recursive: true, force: true });
    }
  });

  it("is listed in --help", () => {
    const r = spawnSync(process.execPath, [bin, "train", "--help"], { encoding: "utf8" });
    assert.match(r.stdout, /--plot\s+cnn: after training, draw the loss and accuracy curves .*curves\.svg and curves\.png/);
  });
});
