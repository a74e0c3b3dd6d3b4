#!/usr/bin/env node
// The public API report of @vrpc/nestjs: one `libs/vrpc/api/<entry>.api.md` per entry of the
// package's `exports`, written by API Extractor from the built `.d.ts` (run `npm run build` first).
// A type that a public signature uses but no entry exports is listed at the end of the report.
//
//   node scripts/api-report.mjs           # rewrite the reports (commit them with the change)
//   node scripts/api-report.mjs --check   # CI: fail when a report differs from the committed one
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import ts from 'typescript';

const check = process.argv.includes('--check');
const library = resolve(import.meta.dirname, '..', 'libs', 'vrpc');
const reports = join(library, 'api');
const pkg = JSON.parse(readFileSync(join(library, 'package.json'), 'utf8'));
const entries = Object.entries(pkg.exports).flatMap(([subpath, target]) =>
  typeof target === 'object' ? [{ name: subpath === '.' ? 'index' : subpath.slice(2), types: join(library, target.types) }] : [],
);

/** Every name some entry exports: a subpath may use a type that the root exports. */
function exportedAnywhere() {
  const files = entries.map((entry) => entry.types);
  const program = ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  return new Set(
    files.flatMap((file) => {
      const source = program.getSourceFile(file);
      const symbol = source && checker.getSymbolAtLocation(source);
      return symbol ? checker.getExportsOfModule(symbol).map((exported) => exported.name) : [];
    }),
  );
}

/** The report of one entry as API Extractor writes it, plus the types it uses but no entry exports. */
function reportOf(entry, exported, temp) {
  const forgotten = new Set();
  const problems = [];
  const config = ExtractorConfig.prepare({
    configObjectFullPath: join(library, 'api-extractor.json'),
    packageJsonFullPath: join(library, 'package.json'),
    configObject: {
      projectFolder: library,
      mainEntryPointFilePath: entry.types,
      compiler: { tsconfigFilePath: join(library, 'tsconfig.json') },
      apiReport: { enabled: true, reportFileName: entry.name, reportFolder: temp, reportTempFolder: join(temp, 'work') },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // No release tags (@public, @beta…) here: everything an entry exports is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          // One-line TSDoc on public symbols is the house rule; their fields need none.
          'ae-undocumented': { logLevel: 'none' },
        },
        // TSDoc syntax is not enforced: the comments are for readers.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
        compilerMessageReporting: { default: { logLevel: 'warning' } },
      },
    },
  });
  const result = Extractor.invoke(config, {
    localBuild: true,
    messageCallback: (message) => {
      if (message.category === 'console' || (message.logLevel !== 'warning' && message.logLevel !== 'error')) {
        message.logLevel = 'none';
        return;
      }
      message.handled = true;
      const symbol = /The symbol "([^"]+)"/.exec(message.text)?.[1];
      if (message.messageId === 'ae-forgotten-export' && symbol) {
        // API Extractor looks at one entry at a time; a type another entry exports is not forgotten.
        if (!exported.has(symbol)) forgotten.add(`${symbol} (${relative(library, message.sourceFilePath ?? '')})`);
        return;
      }
      problems.push(`${entry.name}: ${message.formatMessageWithLocation(library)}`);
    },
  });
  if (!result.succeeded) problems.push(`${entry.name}: API Extractor failed`);
  let text = readFileSync(join(temp, `${entry.name}.api.md`), 'utf8');
  if (forgotten.size > 0) {
    const names = [...forgotten].sort().map((name) => `- ${name}`);
    text += `\n## Used by this API but exported by no entry\n\n${names.join('\n')}\n`;
  }
  return { text, problems };
}

const temp = mkdtempSync(join(tmpdir(), 'vrpc-api-'));
const problems = [];
const changed = [];
try {
  const exported = exportedAnywhere();
  mkdirSync(reports, { recursive: true });
  for (const entry of entries) {
    const report = reportOf(entry, exported, temp);
    problems.push(...report.problems);
    const file = join(reports, `${entry.name}.api.md`);
    if (existsSync(file) && readFileSync(file, 'utf8') === report.text) continue;
    changed.push(relative(process.cwd(), file));
    if (!check) writeFileSync(file, report.text);
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

for (const problem of problems) console.error(problem);
if (check && changed.length > 0) {
  console.error(`The public API changed (${changed.join(', ')}): run \`npm run api:report\` and commit libs/vrpc/api/.`);
  process.exit(1);
}
console.log(changed.length > 0 ? `updated ${changed.join(', ')}` : `the API reports of ${entries.length} entries are up to date`);
if (problems.length > 0) process.exit(1);
