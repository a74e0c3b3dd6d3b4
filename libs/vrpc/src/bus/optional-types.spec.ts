import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '..');
const OPTIONAL = ['kafkajs', '@nats-io/', 'amqplib', '@platformatic/kafka', '@nestjs/terminus'];
/** The public entry and the plugin files it is meant to export. */
const ENTRIES = [
  'index.ts',
  'terminus.ts',
  'bus/create-bus.ts',
  'bus/kafka/kafka.bus.ts',
  'bus/nats/nats.bus.ts',
  'bus/rabbitmq/rabbitmq.bus.ts',
  'bus/platformatic-kafka/platformatic-kafka.bus.ts',
  'utils/optional-package.ts',
];

/** Emits the library's declarations in memory, as `npm run build` would. */
function emitDeclarations(): Map<string, string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    resolve(SRC, '../tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('libs/vrpc/tsconfig.json could not be read');
  const options = {
    ...parsed.options,
    declaration: true,
    emitDeclarationOnly: true,
    composite: false,
    incremental: false,
    declarationMap: false,
  };
  const program = ts.createProgram(
    ENTRIES.map((entry) => join(SRC, entry)),
    options,
  );
  const outDir = options.outDir ?? '';
  const declarations = new Map<string, string>();
  program.emit(undefined, (file, text) => {
    // Keyed by the source path the declaration belongs to.
    declarations.set(join(SRC, file.slice(outDir.length).replace(/\.d\.ts$/, '.ts')), text);
  });
  return declarations;
}

/** Module specifiers a declaration file imports, re-exports or references through `import("…")`. */
function specifiers(text: string): string[] {
  const file = ts.createSourceFile('x.d.ts', text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe("optional bus clients' types", () => {
  let declarations: Map<string, string>;

  beforeAll(() => {
    declarations = emitDeclarations();
  }, 60_000);

  it('stay out of every declaration reachable from the public entry and the plugin classes', () => {
    const seen = new Set<string>();
    const leaks: string[] = [];
    const queue = ENTRIES.map((entry) => join(SRC, entry));
    while (queue.length > 0) {
      const file = queue.shift() ?? '';
      if (seen.has(file)) continue;
      seen.add(file);
      const text = declarations.get(file);
      expect(text, `no declaration emitted for ${file}`).toBeDefined();
      for (const specifier of specifiers(text ?? '')) {
        if (OPTIONAL.some((name) => specifier.startsWith(name))) leaks.push(`${file.slice(SRC.length + 1)} → ${specifier}`);
        if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      }
    }
    expect(seen.size).toBeGreaterThan(ENTRIES.length);
    expect(leaks).toEqual([]);
  });
});
