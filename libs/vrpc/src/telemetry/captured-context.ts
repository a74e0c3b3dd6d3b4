import { otelApi } from './otel-api.js';

/** The context active when it was captured (undefined without `@opentelemetry/api`), to run later work in. */
export type CapturedContext = unknown;

/** The active context now: where a grpc-js call was made, for the interceptor to make its vRPC call in. */
export function captureContext(): CapturedContext {
  return otelApi()?.context.active();
}

/** Runs `fn` with `captured` as the active context (as it is, without the API or a captured context). */
export function runInContext<T>(captured: CapturedContext, fn: () => T): T {
  const api = otelApi();
  if (!api || captured === undefined) return fn();
  return api.context.with(captured as ReturnType<typeof api.context.active>, fn);
}
