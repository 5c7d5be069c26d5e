/**
 * Error types. Every message names the op (or layer), the shapes/dtypes involved and what was expected,
 * e.g. `matmul: [64,784] x [512,10]: inner dimensions 784 and 512 differ`.
 */

/** Base class of all ganglion errors, so callers can catch the family. */
export class GanglionError extends Error {
  override name = "GanglionError";
}
/** A shape, rank or axis does not fit the op. */
export class ShapeError extends GanglionError {
  override name = "ShapeError";
}
/** A dtype does not fit the op. */
export class DTypeError extends GanglionError {
  override name = "DTypeError";
}
/** An option or argument value is out of range or of the wrong kind. */
export class ValueError extends GanglionError {
  override name = "ValueError";
}
/** A tensor was used after dispose(), or a graph after it was freed. */
export class DisposedError extends GanglionError {
  override name = "DisposedError";
}
/** A file or byte stream is malformed: names the file, the byte offset and what was expected. */
export class FormatError extends GanglionError {
  override name = "FormatError";
}

/** Formats a shape the way every error message prints it: `[2,3,4]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}
