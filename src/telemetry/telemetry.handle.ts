/**
 * What the telemetry bootstrap (preloaded with `node --import`, outside Nest) leaves for the
 * Nest side: a way to flush at shutdown. Reached through a global symbol so that nothing
 * imports the bootstrap itself.
 */
export interface TelemetryHandle {
  /** Exports buffered spans and stops the SDK. */
  shutdown(): Promise<void>;
}

export const TELEMETRY_HANDLE = Symbol.for('rampart.telemetry');

export function telemetryHandle(): TelemetryHandle | undefined {
  return (globalThis as Record<symbol, unknown>)[TELEMETRY_HANDLE] as TelemetryHandle | undefined;
}
