/** Brokers from the options, else from `VRPC_KAFKA_BROKERS`, else the local default. */
export function resolveBrokers(options: { brokers?: string[] } | undefined): string[] {
  if (options?.brokers?.length) return options.brokers;
  const fromEnv = process.env.VRPC_KAFKA_BROKERS?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return fromEnv?.length ? fromEnv : ['127.0.0.1:9092'];
}
