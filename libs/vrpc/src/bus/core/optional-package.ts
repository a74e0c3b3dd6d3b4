/** Thrown when a bus plugin's client package is not installed. */
export class MissingBusPackageError extends Error {
  override readonly name = 'MissingBusPackageError';

  constructor(
    readonly bus: string,
    readonly packages: string[],
    options?: ErrorOptions,
  ) {
    super(
      `vRPC: the "${bus}" bus needs ${packages.map((name) => `"${name}"`).join(' and ')}, which cannot be loaded; ` +
        `install it in your app: npm install ${packages.join(' ')}`,
      options,
    );
  }
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

/**
 * Loads a plugin's optional client package on first use, so that apps using other buses need
 * not install it. `load` must be a literal `import('…')` so that TypeScript types the result.
 */
export async function loadBusPackage<T>(bus: string, packages: string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error: unknown) {
    if (isModuleNotFound(error)) throw new MissingBusPackageError(bus, packages, { cause: error });
    throw error;
  }
}
