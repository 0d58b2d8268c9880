// The http read probe at boot (LETHE_PROBE=http): its files read and checked before the engine touches
// the database, a setting that cannot be used refused naming it (exit 2). With LETHE_PROBE=local there
// is nothing to open: the engine builds the local probe over its own data plane.
import type { Logger } from 'pino';
import { HttpProbeSettingError, openHttpReadProbe, type HttpReadProbe } from '@lethe/dataplane';
import { ConfigError } from '../config/engine-config.js';
import { PROBE_SETTING_ENV, type ReadProbeConfig } from '../config/probe-config.js';

/** The http read probe, opened; undefined for LETHE_PROBE=local. ConfigError names a setting it cannot use. */
export async function openConfiguredReadProbe(config: ReadProbeConfig, logger: Pick<Logger, 'info' | 'warn'>): Promise<HttpReadProbe | undefined> {
  if (config.kind === 'local') return undefined;
  const { settings } = config;
  let probe: HttpReadProbe;
  try {
    probe = await openHttpReadProbe(settings);
  } catch (error) {
    if (error instanceof HttpProbeSettingError) {
      const hint = error.code === 'https-only' ? ' (LETHE_PROBE_ALLOW_HTTP=true allows http:// for tests)' : '';
      throw new ConfigError([`${PROBE_SETTING_ENV[error.setting]}: ${error.rule}${hint}`]);
    }
    throw error;
  }
  if (settings.allowHttp) {
    logger.warn({ setting: 'LETHE_PROBE_ALLOW_HTTP' }, 'TEST-ONLY: the read probe may use http://, sending its headers in clear');
  }
  // Where and how it reads, never a header.
  logger.info(
    {
      probe: 'http',
      origin: settings.urlTemplate === undefined ? undefined : new URL(settings.urlTemplate.replace(/\{[^{}]*\}/g, 'x')).origin,
      tenantUrlsFile: settings.tenantUrlsFile,
      headersFile: settings.headersFile,
      caFile: settings.caFile,
      timeoutMs: settings.timeoutMs,
      expectStatus: settings.signature.statuses,
      expectProblemType: settings.signature.problemType,
      expectBodyPattern: settings.signature.bodyPattern !== undefined,
    },
    'read probe',
  );
  return probe;
}
