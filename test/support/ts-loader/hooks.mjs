// Node module hooks that run the project's TypeScript in child processes the way the tests
// see it: SWC strips types and keeps decorator metadata (Nest's DI needs it), `.js`
// specifiers find their `.ts` source, and `@vrpc/nestjs` resolves to the library's source.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { transform } from '@swc/core';

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, { ...context, conditions: [...context.conditions, 'vrpc-source'] });
  } catch (error) {
    if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('/'))) {
      return next(specifier.slice(0, -3) + '.ts', context);
    }
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(fileURLToPath(url), 'utf8');
  const { code } = await transform(source, { ...swcOptions, filename: fileURLToPath(url) });
  return { format: 'module', source: code, shortCircuit: true };
}
