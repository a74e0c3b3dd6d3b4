/** An int64 as protobufjs decodes it: a `Long` where the `long` package is present, else a number. */
export type DecodedLong = number | { low: number; high: number } | null | undefined;

/** As `toObject({ longs: Number })` converts an int64 (Long's signed high/low arithmetic). */
export function longToNumber(value: DecodedLong): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.high * 4_294_967_296 + (value.low >>> 0);
}
