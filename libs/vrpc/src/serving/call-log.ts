import type { RequestEnvelope } from '../protocol/envelope.js';
import { logText } from '../utils/log-text.js';

/**
 * How a log line names one call, so it can be joined to the call's trace:
 * `id=<call id> method=<package.Service/Method>`, and `trace=<trace id>` when a span records.
 * Every part comes from the message, so each is escaped and cut.
 */
export function callLabel(envelope: Pick<RequestEnvelope, 'requestId' | 'serviceName' | 'methodName'>, traceId?: string): string {
  const label = `id=${logText(envelope.requestId)} method=${logText(envelope.serviceName)}/${logText(envelope.methodName)}`;
  return traceId === undefined ? label : `${label} trace=${traceId}`;
}
