import { createRequire } from 'node:module';
import type * as OtelApiModule from '@opentelemetry/api';

/** The OpenTelemetry API, as this library uses it (kept internal: never part of the public types). */
export type OtelApi = typeof OtelApiModule;

let loaded: OtelApi | null | undefined;

function isModuleNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * `@opentelemetry/api` when the app installed it (an optional peer), else undefined; loaded once,
 * synchronously, on first use. The API finds the SDK the app registered through its global
 * registry, so this copy and the app's agree even when they are different installs.
 */
export function otelApi(): OtelApi | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
    } catch (error: unknown) {
      if (!isModuleNotFound(error)) throw error;
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
