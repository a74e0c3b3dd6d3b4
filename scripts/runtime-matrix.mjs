#!/usr/bin/env node
// The unit and end-to-end suites on the other Node versions of the matrix, side by side (their
// end-to-end tests mostly wait on the broker, so two runs share two cores well).
//   node scripts/runtime-matrix.mjs [24 26 ...]     default: 24 26
// Each run's output goes to test-results/node-<major>.log; the summary of each is printed.
// Exit code: 0 when every run passed. The local broker must be running (CI starts it); the
// SASL_SSL broker is started here once for all runs, so that no run stops it under another.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { nodeBin, PINNED } from './node-runtime.mjs';
import { startKafka, stopKafka } from './kafka/index.mjs';

const RESULTS = 'test-results';
const SUITES = ['vitest', 'run', '--project', 'unit', '--project', 'e2e'];

/**
 * @param {{ major: string; version: string; bin: string }} runtime
 * @returns {Promise<{ version: string; code: number; log: string; seconds: number }>}
 */
function run({ major, version, bin }) {
  const log = join(RESULTS, `node-${major}.log`);
  const out = createWriteStream(log);
  const started = Date.now();
  const child = spawn(join(bin, 'node'), [join('node_modules', 'vitest', 'vitest.mjs'), ...SUITES.slice(1)], {
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  process.stdout.write(`Node ${version}: ${SUITES.join(' ')} → ${log}\n`);
  return new Promise((resolve) => {
    child.on('close', (code, signal) =>
      out.end(() => resolve({ version, code: code ?? (signal ? 1 : 0), log, seconds: Math.round((Date.now() - started) / 1000) })),
    );
  });
}

/** Terminal colour codes, in the log of a run that printed them anyway. */
// eslint-disable-next-line no-control-regex -- the escape character is what it matches
const COLOUR = /\u001b\[[0-9;]*m/g;

/** How many lines of vitest's failure report a failed run prints (the rest is in its log). */
const FAILURE_LINES = 80;

/** The lines of vitest's summary and its failures, with the start of its failure report, from a finished run's log. */
function summary(log) {
  const lines = readFileSync(log, 'utf8').replace(COLOUR, '').split('\n');
  const brief = lines.filter((line) => /^\s*(Test Files|Tests|Duration)\s/.test(line) || /^\s*(FAIL|×)\s/.test(line));
  const report = lines.findIndex((line) => /Failed Tests \d+/.test(line));
  if (report >= 0) brief.push('', ...lines.slice(report, report + FAILURE_LINES));
  return brief.join('\n');
}

async function main() {
  const majors = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['24', '26'];
  mkdirSync(RESULTS, { recursive: true });
  const unknown = majors.filter((major) => !(major in PINNED));
  if (unknown.length > 0)
    throw new Error(`not pinned in scripts/node-runtime.mjs: ${unknown.join(', ')} (${Object.keys(PINNED).join(', ')})`);
  // Fetched one after the other (npm pack), before any run starts.
  const runtimes = majors.map((major) => {
    const version = PINNED[/** @type {keyof typeof PINNED} */ (major)];
    return { major, version, bin: nodeBin(version) };
  });
  const secure = await startKafka({ secure: true, log: () => undefined });
  let results;
  try {
    results = await Promise.all(runtimes.map(run));
  } finally {
    if (secure.started) await stopKafka({ secure: true, log: () => undefined });
  }
  for (const result of results) {
    process.stdout.write(
      `\n== Node ${result.version}: ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`} in ${result.seconds} s (${result.log})\n`,
    );
    process.stdout.write(`${summary(result.log)}\n`);
  }
  process.exit(results.every((result) => result.code === 0) ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`runtime-matrix: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
