import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The library's layers, lowest first: a file may import from its own layer and the ones below,
 * never from one above. `index.ts` and the subpath entries sit on top of all of them.
 */
const LAYERS = [
  'errors',
  'utils',
  'protocol',
  'bus',
  'telemetry',
  'streaming',
  'serving',
  'task',
  'grpc',
  'server',
  'gateway',
  'client',
  'interceptor',
  'module',
  'testing',
];
const MAX_LINES = 250;
const MAX_CLIENT_LINES = 150;

const root = dirname(fileURLToPath(import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

const files = sources(root).map((path) => ({ path, name: relative(root, path), text: readFileSync(path, 'utf8') }));

/** The layer of a file: its top folder; files at the root are entry points (above every layer). */
function layerOf(name: string): number {
  const top = name.split('/')[0];
  return top.endsWith('.ts') ? LAYERS.length : LAYERS.indexOf(top);
}

function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]);
}

describe('library layout', () => {
  it('puts every file in a known layer', () => {
    expect(files.filter((file) => layerOf(file.name) < 0).map((file) => file.name)).toEqual([]);
  });

  it('never imports from a higher layer', () => {
    const upward = files.flatMap((file) =>
      relativeImports(file.text)
        .map((spec) => relative(root, resolve(dirname(file.path), spec)))
        .filter((target) => layerOf(target) > layerOf(file.name))
        .map((target) => `${file.name} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('keeps the bus plugins apart: each uses the contract, core/ and kafka-common/, never another plugin', () => {
    const shared = new Set(['core', 'kafka-common']);
    const crossing = files
      .filter((file) => file.name.startsWith('bus/') && file.name.split('/').length > 2)
      .flatMap((file) => {
        const own = file.name.split('/')[1];
        return relativeImports(file.text)
          .map((spec) => relative(root, resolve(dirname(file.path), spec)).split('/'))
          .filter((target) => target[0] === 'bus' && target.length > 2 && target[1] !== own && !shared.has(target[1]))
          .map((target) => `${file.name} -> ${target.join('/')}`);
      });
    const coreUp = files
      .filter((file) => file.name.startsWith('bus/core/'))
      .flatMap((file) =>
        relativeImports(file.text)
          .map((spec) => relative(root, resolve(dirname(file.path), spec)).split('/'))
          .filter((target) => target[0] === 'bus' && target.length > 2 && target[1] !== 'core')
          .map((target) => `${file.name} -> ${target.join('/')}`),
      );
    expect([...crossing, ...coreUp]).toEqual([]);
  });

  it(`keeps every source file under ${MAX_LINES} lines and the client facade under ${MAX_CLIENT_LINES}`, () => {
    const lines = (text: string) => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    expect(files.filter((file) => lines(file.text) > MAX_LINES).map((file) => `${file.name}: ${lines(file.text)}`)).toEqual([]);
    const client = files.find((file) => file.name === 'client/vrpc-client.ts');
    expect(client && lines(client.text)).toBeLessThanOrEqual(MAX_CLIENT_LINES);
  });

  it('has no runtime code in *.interface.ts files', () => {
    const withCode = files
      .filter((file) => file.name.endsWith('.interface.ts'))
      .filter((file) => {
        const js = ts.transpileModule(file.text, { compilerOptions: { module: ts.ModuleKind.ESNext, removeComments: true } }).outputText;
        return js.replace(/export\s*\{\s*\};?/g, '').trim() !== '';
      })
      .map((file) => file.name);
    expect(withCode).toEqual([]);
  });
});
