export { createTestDatabase, reportIdleError, type TestDatabase } from './test-database.js';
export { PGBOUNCER_INSTALL_HINT, pgbouncerPath, startPgBouncer, type PgBouncer, type PgBouncerOptions } from './pgbouncer.js';
export { AZURITE_ACCOUNT, AZURITE_INSTALL_HINT, azuritePath, startAzurite, type Azurite } from './azurite.js';
export { SOFTHSM_INSTALL_HINT, binaryPath, createSoftHsmToken, softHsmModulePath, type SoftHsmToken } from './softhsm.js';
export { rejection } from './rejection.js';
export { watchStatements, type StatementLog } from './statement-log.js';
export { seededRandom } from './seeded-random.js';
