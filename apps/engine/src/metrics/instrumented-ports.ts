// The vault, data plane and read probe as the lifecycle sees them, each call timed and its failure
// counted by port operation (metric-catalogue.ts). Wrapped at the port boundary in the engine's
// composition, so every caller (commands, timers, processors, the data plane's own vault calls) is
// measured the same way and the adapters know nothing of metrics. Labels are operation names from
// the fixed lists below, never an argument (tenant, key version, database ids).
import type { DataPlane, ReadProbe } from '@lethe/dataplane';
import type { KeyVault } from '@lethe/vault';
import type { EngineMetrics, PortInstruments } from './engine-metrics.js';
import { DATA_PLANE_OPERATIONS, PROBE_OPERATION, VAULT_OPERATIONS, failureReason, type AsyncMethods } from './port-operations.js';

/** `port` with each of `operations` timed and its rejections counted; everything else passes through. */
export function instrumentPort<T extends object>(port: T, operations: readonly AsyncMethods<T>[], instruments: PortInstruments): T {
  const wrapped = new Map<PropertyKey, unknown>();
  for (const operation of operations) {
    const call = (port[operation] as (...args: unknown[]) => Promise<unknown>).bind(port);
    wrapped.set(operation, async (...args: unknown[]) => {
      const done = instruments.duration.startTimer({ operation });
      try {
        return await call(...args);
      } catch (error) {
        instruments.errors.inc({ operation, reason: failureReason(error) });
        throw error;
      } finally {
        done();
      }
    });
  }
  return new Proxy(port, {
    get(target, property) {
      if (wrapped.has(property)) return wrapped.get(property);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function instrumentVault(vault: KeyVault, metrics: EngineMetrics): KeyVault {
  return instrumentPort(vault, VAULT_OPERATIONS, metrics.vault);
}

export function instrumentDataPlane<D extends DataPlane>(dataPlane: D, metrics: EngineMetrics): D {
  return instrumentPort<DataPlane>(dataPlane, DATA_PLANE_OPERATIONS, metrics.dataPlane) as D;
}

/** The read probe never rejects (every failure is an outcome): timed as the data plane's `probe`, and its outcomes counted. */
export function instrumentProbe(probe: ReadProbe, metrics: EngineMetrics): ReadProbe {
  return {
    async probe(tenantId, databaseId) {
      const done = metrics.dataPlane.duration.startTimer({ operation: PROBE_OPERATION });
      try {
        const result = await probe.probe(tenantId, databaseId);
        metrics.probeOutcomes.inc({ outcome: result.outcome });
        return result;
      } catch (error) {
        metrics.dataPlane.errors.inc({ operation: PROBE_OPERATION, reason: failureReason(error) });
        throw error;
      } finally {
        done();
      }
    },
  };
}
