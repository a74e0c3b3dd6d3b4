import { fileURLToPath } from 'node:url';

/** The `bench/` folder (this file runs from `bench/dist/`). */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The repository root. */
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The proto every contender serves. */
export const BENCH_PROTO = fileURLToPath(new URL('../proto/bench.proto', import.meta.url));
/** Proto package of `BENCH_PROTO`. */
export const BENCH_PACKAGE = 'bench';
/** Service name within `BENCH_PACKAGE`. */
export const BENCH_SERVICE = 'BenchService';
/** The proto of the streaming bench (`npm run bench:streams`). */
export const STREAM_PROTO = fileURLToPath(new URL('../proto/bench-streams.proto', import.meta.url));
/** Service name of `STREAM_PROTO`, within `BENCH_PACKAGE`. */
export const STREAM_SERVICE = 'StreamBenchService';
