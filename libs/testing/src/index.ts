export { createTestDatabase, reportIdleError, type TestDatabase } from './test-database.js';
