// Boots the engine from a validated configuration: database (embedded or DATABASE_URL),
// migrations, event store, clock, then the Nest application. Used by main.ts and the e2e tests.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { SystemClock, type Clock } from '@lethe/clock';
import { LocalDataPlane, LocalReadProbe, platformKeyFrom, withAssetStore } from '@lethe/dataplane';
import { KeyDetection, killAt, type LifecyclePorts } from '@lethe/lifecycle';
import { PostgresDeadlineStore } from '@lethe/scheduler';
import { PostgresSigningKeyRegistry, SigningKeyring, loadMasterKey, loadOrCreateSigningKey, type KeyVault } from '@lethe/vault';
import { verifyMasterKeyAtBoot } from './infrastructure/master-key-at-boot.js';
import { holdEngineLockAtBoot } from './infrastructure/engine-lock-at-boot.js';
import { openAssetStore } from './infrastructure/asset-store-at-boot.js';
import { openEventStore } from './infrastructure/event-store-at-boot.js';
import { openKeyVault, prepareKeyVault } from './infrastructure/key-vault-at-boot.js';
import { loadHttpsOptions, setupOpenApi, useJsonBodies } from './http/index.js';
import type { EngineConfig } from './config/engine-config.js';
import { EngineModule } from './engine.module.js';
import { openDatabase } from './infrastructure/database.js';
import { createLogger } from './logging/logger.js';
import { withSimulatedOutages } from './infrastructure/simulated-vault-outages.js';
import { openConfiguredReadProbe } from './infrastructure/read-probe.js';
import { EngineNestLogger } from './logging/http-logging.js';
import { PersistedManualClock } from './clock/persisted-manual-clock.js';
import { BootStack, EngineBootAbortedError } from './boot-stack.js';
import { loadApiTokens } from './config/api-tokens.js';
import { warnUnknownSettings } from './config/unknown-settings.js';
import { loadJwks, OidcVerifier } from './http/auth/oidc-verifier.js';
import { ConsoleFilesMissingError, serveConsole } from './console/index.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { expressRouteTable, httpMetricsMiddleware } from './metrics/http-metrics.js';
import { instrumentDataPlane, instrumentProbe, instrumentVault } from './metrics/instrumented-ports.js';

export interface RunningEngine {
  readonly url: string;
  readonly app: NestExpressApplication;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where the API tokens are (LETHE_TOKENS unset), to tell the user; never the tokens. */
  readonly tokensFile: string | undefined;
  /** Graceful: stop taking requests, let processors finish the event in hand, release leases. */
  close(): Promise<void>;
}

export interface EngineOptions {
  readonly logger?: Logger;
  /**
   * Wraps the vault adapter: fault injection at the vault boundary in end-to-end tests (a vault
   * that fails, then recovers). The real adapter (LETHE_VAULT) is still what does the work.
   */
  readonly decorateVault?: (vault: KeyVault) => KeyVault;
  /**
   * Aborted by a stop request during boot: the boot ends at its next step, closes what it opened
   * (processors release their leases, the database is stopped) and rejects with EngineBootAbortedError.
   */
  readonly signal?: AbortSignal;
}

export { EngineBootAbortedError };

export async function startEngine(config: EngineConfig, options: EngineOptions = {}): Promise<RunningEngine> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const boot = new BootStack(options.signal);
  try {
    return await bootEngine(config, options, logger, boot);
  } catch (error) {
    await boot.unwind(logger);
    throw error;
  }
}

async function bootEngine(config: EngineConfig, options: EngineOptions, logger: Logger, boot: BootStack): Promise<RunningEngine> {
  warnUnknownSettings(config.unknownSettings, logger);
  const httpsOptions = await loadHttpsOptions(config.tls);
  // Keys first: a bad key setting should stop the engine before it touches the database.
  const masterKey = await loadMasterKey({ env: config.masterKey, dataDir: config.dataDir });
  const loadSigningKey = () => loadOrCreateSigningKey({ env: config.signingKey, dataDir: config.dataDir });
  const signing = await loadSigningKey();
  const { tokens, file: tokensFile } = await loadApiTokens(config, logger);
  const jwks = config.oidc ? await loadJwks(config.oidc) : undefined;
  const httpProbe = await openConfiguredReadProbe(config.probe, logger);
  if (httpProbe) boot.onUnwind(() => httpProbe.close());
  const vaultPrepared = await prepareKeyVault(config.vault);
  boot.checkpoint();
  const database = await openDatabase(config, logger);
  boot.onUnwind(() => database.close());
  boot.checkpoint();
  // Held until the engine stops: `lethe master-key rotate` refuses while any engine holds it.
  const engineLock = await holdEngineLockAtBoot(database, masterKey, config.dataDir, logger, () => boot.checkpoint());
  boot.onUnwind(() => engineLock.release());
  await verifyMasterKeyAtBoot(database, masterKey, config.dataDir, logger);
  // LETHE_EVENT_STORE: the log in this PostgreSQL, or in EventStoreDB (read models stay here either way).
  const eventStore = await openEventStore(config.eventStore, database, logger);
  boot.onUnwind(() => eventStore.close());
  const store = eventStore.store;
  boot.checkpoint();
  let clock: Clock;
  if (config.clock.kind === 'manual') {
    const resumed = await PersistedManualClock.resume(database.pool, config.clock.start);
    clock = resumed.clock;
    logger.info(
      { now: clock.now().toISOString(), resumedFrom: resumed.resumedFrom?.toISOString(), clockStart: config.clock.start?.toISOString() },
      'manual clock',
    );
  } else {
    clock = new SystemClock();
  }
  // This instance's signing key becomes the current one (a new key closes the previous key's validity
  // now); a key retired since refuses to start (RetiredSigningKeyError).
  const signingKeys = new PostgresSigningKeyRegistry(database.pool);
  const keyring = new SigningKeyring(signingKeys, loadSigningKey, clock, signing);
  const signingKey = await keyring.activate();
  logger.info({ keyId: signingKey.keyId, validFrom: signingKey.validFrom, source: signing.source }, 'certificate signing key');
  // LETHE_VAULT: tenant keys in PostgreSQL under the master key (local), or on a PKCS#11 token.
  // The master key still seals the platform key of the data plane.
  const opened = await openKeyVault(config.vault, vaultPrepared, database.pool, masterKey, clock, logger);
  boot.onUnwind(() => opened.close());
  const decorated = options.decorateVault ? options.decorateVault(opened.vault) : opened.vault;
  // Test-only settings (manual clock only, see engine-config.ts): said loudly, so a log never hides them.
  if (config.simulatedVaultOutages.length > 0) {
    logger.warn(
      { setting: 'LETHE_SIMULATED_VAULT_OUTAGES', outages: config.simulatedVaultOutages.length },
      'TEST-ONLY: the vault fails every call during the simulated outages',
    );
  }
  if (config.sabotage) {
    logger.warn({ setting: 'LETHE_SABOTAGE', sabotage: config.sabotage }, `TEST-ONLY: LETHE_SABOTAGE=${config.sabotage} injects a known defect that breaks a promise`);
  }
  // Every call through the ports is measured (/metrics), the data plane's own vault calls included.
  const metrics = new EngineMetrics();
  const vault = instrumentVault(withSimulatedOutages(decorated, clock, config.simulatedVaultOutages), metrics);
  // LETHE_ASSET_STORE: the local data plane keeps staging blobs and platform-key backups itself, or
  // hands them to another store (azure-blob), measured and wrapped the same way.
  const platformKey = platformKeyFrom(masterKey);
  const localDataPlane = new LocalDataPlane(database.pool, vault, platformKey, clock);
  const assetStore = await openAssetStore(config.assetStore, { pool: database.pool, platformKey, clock, logger: logger.child({ component: 'asset-store' }) });
  const lifecycle: LifecyclePorts = {
    store,
    clock,
    deadlines: new PostgresDeadlineStore(database.pool, clock),
    vault,
    dataPlane: instrumentDataPlane(assetStore ? withAssetStore(localDataPlane, assetStore) : localDataPlane, metrics),
    probe: instrumentProbe(httpProbe ?? new LocalReadProbe(database.pool, vault), metrics),
    pool: database.pool,
    signing: keyring,
    signingKeys,
    logger: logger.child({ component: 'lifecycle' }),
    keyDetectionIntervalMs: config.keyDetectionMs,
    breakGlassApprovals: config.breakGlassApprovals,
    maxBackupRetentionDays: config.maxBackupRetentionDays,
    retiredKeyGraceDays: config.retiredKeyGraceDays,
    ...(config.crashAt ? { crash: killAt(config.crashAt) } : {}),
    ...(config.sabotage ? { sabotage: config.sabotage } : {}),
  };
  let jwt: OidcVerifier | undefined;
  if (config.oidc && jwks) {
    jwt = new OidcVerifier(config.oidc, jwks, clock, logger.child({ component: 'oidc' }));
    logger.info({ issuer: config.oidc.issuer, audience: config.oidc.audience, jwks: config.oidc.jwks.kind, rolesClaim: config.oidc.rolesClaim, algorithms: config.oidc.algorithms }, 'OIDC tokens accepted beside the static tokens');
  }
  boot.checkpoint();
  const app = await NestFactory.create<NestExpressApplication>(
    EngineModule.forRuntime({ config: { ...config, tokens }, database, pool: database.pool, store, clock, logger, lifecycle, metrics, ...(jwt ? { jwt } : {}) }),
    // Bodies are JSON only, parsed by useJsonBodies (415 for other media types, 400 for deep nesting).
    { bufferLogs: true, bodyParser: false, ...(httpsOptions ? { httpsOptions } : {}) },
  );
  // Processors and the poller start with the application (listen) and stop with app.close().
  boot.onUnwind(() => app.close());
  app.useLogger(new EngineNestLogger(app.get(NestPinoLogger)));
  if (config.roles.has('poller')) await app.get(KeyDetection).ensureScheduled();
  app.disable('x-powered-by');
  // First, so every request is timed, those refused before routing or by a guard included.
  app.use(httpMetricsMiddleware(metrics, expressRouteTable(app.getHttpAdapter().getInstance())));
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);
  // HSTS on every response, with the rest of helmet's defaults.
  app.use(helmet({ strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true } }));
  // Every instance listens: without the `api` role it serves only /healthz, /readyz and /metrics
  // (EngineModule), so the console and the API's description are not served there either.
  const servesApi = config.roles.has('api');
  if (servesApi) {
    // The console is a convenience: an installation without its files still runs the engine.
    try {
      serveConsole(app);
    } catch (error) {
      if (!(error instanceof ConsoleFilesMissingError)) throw error;
      logger.warn({ reason: error.message }, 'the web console is not served');
    }
  }
  useJsonBodies(app);
  if (servesApi) setupOpenApi(app);
  // Longer than the idle timeouts of common load balancers and HTTP clients, so a kept-alive
  // connection is never closed by us at the moment a client reuses it (ECONNRESET).
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const roles = [...config.roles];
  boot.checkpoint();
  await app.listen(config.port, config.host);
  boot.checkpoint();
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `${httpsOptions ? 'https' : 'http'}://${config.host}:${port}`;
  logger.info({ url, roles, instance: config.instanceId, clock: config.clock.kind }, 'Lethe engine started');
  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    logger,
    clock,
    tokensFile,
    close() {
      closing ??= (async () => {
        await boot.unwind(logger);
        logger.info({ instance: config.instanceId }, 'Lethe engine stopped');
      })();
      return closing;
    },
  };
}
