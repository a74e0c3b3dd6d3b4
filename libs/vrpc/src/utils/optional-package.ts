import { MissingPackageError } from '../errors/missing-package.error.js';

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Loads an optional package on first use, so that apps which do not use the feature need not
 * install it. `load` must be a literal `import('…')` so that TypeScript types the result.
 *
 * @param feature what needs it, for the error: e.g. `the "nats" bus`
 */
export async function loadOptionalPackage<T>(feature: string, packages: string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error: unknown) {
    if (isModuleNotFound(error)) throw new MissingPackageError(feature, packages, { cause: error });
    throw error;
  }
}
