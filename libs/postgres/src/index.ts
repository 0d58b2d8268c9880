export { runMigrations, pendingMigrations, type MigrationClass } from './migrations.js';
export { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
