import {Flags} from '@oclif/core';
import type {Telemetry} from '../telemetry/start-telemetry.ts';

/** The flags `assay run`, `assay load` and `assay monitor` share to export metrics and spans (docs/telemetry.md). */
export const telemetryFlags = {
  'metrics-port': Flags.integer({description: 'serve Prometheus metrics at http://127.0.0.1:PORT/metrics while the command runs (0 picks a free port)', min: 0, max: 65535}),
  'otlp-endpoint': Flags.string({description: 'send OpenTelemetry spans and metrics (OTLP/HTTP JSON, GenAI conventions) to this collector, e.g. http://127.0.0.1:4318'}),
};

/**
 * Starts telemetry when a flag asks for it; null otherwise, so the OpenTelemetry packages are never
 * loaded by a command that does not export. Says where /metrics is and any export failure on stderr.
 */
export async function openTelemetry(flags: {'metrics-port'?: number; 'otlp-endpoint'?: string}): Promise<Telemetry | null> {
  if (flags['metrics-port'] === undefined && flags['otlp-endpoint'] === undefined) return null;
  const {startTelemetry} = await import('../telemetry/start-telemetry.ts');
  const telemetry = await startTelemetry({
    metricsPort: flags['metrics-port'],
    otlpEndpoint: flags['otlp-endpoint'],
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  });
  if (telemetry.metricsUrl) process.stderr.write(`metrics: ${telemetry.metricsUrl}\n`);
  return telemetry;
}
