/**
 * Image folder source (torchvision `ImageFolder` layout): `root/<class>/<image>.{png,jpg,jpeg}`, one
 * sub-folder per class, classes sorted by name → labels 0..k-1. PNG is decoded with `pngjs`, JPEG
 * with `jpeg-js` (both pure JavaScript, no native build, no download at install); every image is
 * resized to one size (see image.ts) so the set is a dense NCHW Uint8Array.
 */
import { readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { FormatError, ValueError } from "../../core/index.js";
import { readFileBytes } from "./files.node.js";
import { type FitMode, type RgbaImage, rgbaToChw } from "./image.js";
import { checkImageBytes } from "./image-check.js";
import type { ImageSet } from "./types.js";

const EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

/** Decodes PNG or JPEG bytes to RGBA, after a structural check that names the bad byte offset. */
export function decodeImage(bytes: Uint8Array, file: string): RgbaImage {
  const kind = checkImageBytes(bytes, file);
  try {
    if (kind === "png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new FormatError(`${file}: byte 0: the ${kind.toUpperCase()} structure is valid but the ${kind === "png" ? "pngjs" : "jpeg-js"} decoder failed: ${(e as Error).message}`);
  }
}

export interface ImageFolderOptions {
  dir: string;
  /** Output size: one number for square images, or [height, width]. */
  size: number | readonly [number, number];
  /** 3 = RGB (default), 1 = grayscale (BT.601 luma). */
  channels?: 1 | 3;
  /** "crop" (default): resize the shorter side and center-crop; "stretch": ignore the aspect ratio. */
  fit?: FitMode;
}

function checkOptions({ size, channels = 3, fit = "crop" }: ImageFolderOptions): { h: number; w: number; channels: 1 | 3; fit: FitMode } {
  const [h, w] = typeof size === "number" ? [size, size] : size;
  if (!(Number.isInteger(h) && h > 0 && Number.isInteger(w) && w > 0)) {
    throw new ValueError(`loadImageFolder: size must be a positive integer or [height, width], got ${JSON.stringify(size)}`);
  }
  if (channels !== 1 && channels !== 3) throw new ValueError(`loadImageFolder: channels must be 1 or 3, got ${JSON.stringify(channels)}`);
  if (fit !== "crop" && fit !== "stretch") throw new ValueError(`loadImageFolder: fit must be "crop" or "stretch", got ${JSON.stringify(fit)}`);
  return { h, w, channels, fit };
}

/** Lists `{ path, label }` of every image under `dir/<class>/`, classes sorted, files sorted. */
export function listImageFolder(dir: string): { classes: string[]; files: { path: string; label: number }[] } {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (e) {
    throw new FormatError(`${dir}: cannot list the image folder: ${(e as Error).message}`);
  }
  const classes = entries.filter((e) => !e.startsWith(".") && statSync(join(dir, e)).isDirectory());
  if (classes.length === 0) throw new FormatError(`${dir}: expected one sub-folder per class, found none`);
  const files: { path: string; label: number }[] = [];
  classes.forEach((c, label) => {
    for (const f of readdirSync(join(dir, c)).sort()) {
      if (EXTENSIONS.has(extname(f).toLowerCase())) files.push({ path: join(dir, c, f), label });
    }
  });
  if (files.length === 0) throw new FormatError(`${dir}: found class folders ${JSON.stringify(classes)} but no .png/.jpg/.jpeg files in them`);
  return { classes, files };
}

/**
 * Loads an image folder as an ImageSet [n, channels, h, w] (Uint8Array 0..255), labels by sorted
 * class-folder name. A file that is not a valid PNG/JPEG throws a FormatError naming it.
 *
 * @example const set = loadImageFolder({ dir: "photos", size: 64 });
 */
export function loadImageFolder(opts: ImageFolderOptions): ImageSet {
  const { h, w, channels, fit } = checkOptions(opts);
  const { classes, files } = listImageFolder(opts.dir);
  const sample = channels * h * w;
  const images = new Uint8Array(files.length * sample);
  const labels = new Int32Array(files.length);
  files.forEach(({ path, label }, i) => {
    const rgba = decodeImage(readFileBytes(path), path);
    images.set(rgbaToChw(rgba, h, w, channels, fit), i * sample);
    labels[i] = label;
  });
  return { images, labels, shape: [files.length, channels, h, w], classes };
}
