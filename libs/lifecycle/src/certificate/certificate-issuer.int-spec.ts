// Exactly-once issuance under retries and races: a crash after the bytes are stored but before the
// event is appended, retried with another (rotated) signing key, must record the first bytes; two
// issuers racing with different keys store one certificate and record one event.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import type { TenantEvent } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { deliverable } from '@lethe/processors';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { PostgresSigningKeyRegistry, SigningKeyring, signingKeyMigrations, type SigningKeyPair } from '@lethe/vault';
import { CalendarWorkingDays } from '../tenants/working-days.adapter.js';
import { TenantRepository } from '../tenants/tenant-repository.js';
import { CertificateIssuer } from './certificate-issuer.js';
import { certificateMigrations } from './certificate.migrations.js';
import { PostgresCertificateStore } from './certificate-store.js';
import { certificateSha256, verifyCertificate } from './deletion-certificate.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
const clock = new ManualClock(new Date('2026-12-30T12:00:00.000Z'));
const silent = { info: () => undefined };
const at = '2026-12-30T12:00:00.000Z';

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...signingKeyMigrations, ...certificateMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

function keyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, source: 'generated' };
}

async function keyring(pair: SigningKeyPair): Promise<SigningKeyring> {
  const ring = new SigningKeyring(new PostgresSigningKeyRegistry(pool), async () => pair, clock, pair);
  await ring.activate();
  return ring;
}

/** A tenant whose shred is verified; returns the stored ShredVerified as the issuer receives it. */
async function verifiedTenant(tenantId: string) {
  const shredId = 'termination:t-1';
  const events: TenantEvent[] = [
    {
      type: 'TenantOnboarded',
      data: {
        tenantId,
        jurisdiction: 'GB',
        timeZone: 'Europe/London',
        excludedHolidayTypes: [],
        partialHolidays: 'working',
        keyCustody: 'managed',
        backupKeyMode: 'customer',
        rotationPeriodDays: 365,
        pitrRetentionDays: 35,
        databases: [{ databaseId: 'db-1' }],
        shredGraceWorkingDays: 0,
        at,
      },
    },
    {
      type: 'ShredScheduled',
      data: {
        shredId,
        trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' },
        effectiveAt: at,
        receivedAt: at,
        deadline: at,
        executeAt: at,
        deletionWorkingDays: 5,
        graceWorkingDays: 0,
        calendar: { jurisdiction: 'GB', timeZone: 'Europe/London', excludedHolidayTypes: [] },
      },
    },
    { type: 'ShredExecutionStarted', data: { shredId, at } },
    { type: 'KeyDestroyed', data: { shredId, keyId: 'k', versions: [{ keyVersionId: 'kv-1', unusableAt: at, purgedAt: at, purgeExpectedAt: null }], at } },
    { type: 'AssetsPurged', data: { shredId, assets: [], at } },
    { type: 'ShredProbeRecorded', data: { shredId, attempt: 1, outcome: 'key-destroyed', results: [{ databaseId: 'db-1', outcome: 'key-destroyed', detail: 'x' }], at } },
    { type: 'ShredVerified', data: { shredId, attempt: 1, at } },
  ];
  await store.append(
    `tenant-${tenantId}`,
    events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data as never })),
    'no-stream',
  );
  const stream = await store.readStream(`tenant-${tenantId}`);
  const delivered = deliverable(issuer(undefined as never).interests, stream[stream.length - 1]);
  if (!delivered) throw new Error('the issuer does not follow ShredVerified');
  return delivered;
}

const repository = () => new TenantRepository(store, clock, new CalendarWorkingDays());
const issuer = (ring: SigningKeyring, tenants: TenantRepository = repository()) =>
  new CertificateIssuer(store, tenants, new PostgresCertificateStore(pool), ring, clock, silent);
const issuedEvents = async (tenantId: string) => (await store.readStream(`tenant-${tenantId}`)).filter((e) => e.type === 'DeletionCertificateIssued');
const noTx = undefined as unknown as pg.PoolClient;


it('after a crash between storing the bytes and recording them, a retry with a rotated key records the first bytes', async () => {
  const verified = await verifiedTenant('crashco');
  const first = keyPair();
  const crashing = repository();
  crashing.execute = () => Promise.reject(new Error('killed before the event was appended'));
  await expect(issuer(await keyring(first), crashing).handle(verified, noTx)).rejects.toThrow('killed');
  const stored = await new PostgresCertificateStore(pool).find('crashco', 'termination:t-1');
  expect(stored).toBeDefined();
  expect(await issuedEvents('crashco')).toHaveLength(0);

  // The retry runs after a rotation: another key is current now.
  const rotated = await keyring(keyPair());
  await issuer(rotated).handle(verified, noTx);
  await issuer(rotated).handle(verified, noTx); // and once more: nothing new
  const events = await issuedEvents('crashco');
  expect(events).toHaveLength(1);
  const doc = JSON.parse(stored!.document.toString('utf8'));
  expect(events[0].data).toEqual({
    shredId: 'termination:t-1',
    certificateId: stored!.certificateId,
    sha256: certificateSha256(doc.certificate),
    keyId: stored!.keyId,
    at: stored!.issuedAt.toISOString(),
  });
  expect(verifyCertificate(doc, first.publicKey)).toEqual({ valid: true, keyId: stored!.keyId });
  expect((await new PostgresCertificateStore(pool).find('crashco', 'termination:t-1'))!.document.equals(stored!.document)).toBe(true);
});

it('two issuers racing with different keys store one certificate and record one issuance', async () => {
  const verified = await verifiedTenant('raceco');
  const a = await keyring(keyPair());
  const b = await keyring(keyPair()); // retires a's key: a reloads, gets the same key, and refuses
  const results = await Promise.allSettled([issuer(a).handle(verified, noTx), issuer(b).handle(verified, noTx), issuer(b).handle(verified, noTx)]);
  expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
  for (const r of results) if (r.status === 'rejected') expect((r.reason as Error).name).toBe('RetiredSigningKeyError');
  expect(await issuedEvents('raceco')).toHaveLength(1);
  expect((await pool.query(`select 1 from lethe_certificates where tenant_id = 'raceco'`)).rowCount).toBe(1);
});

it('an old key that another instance retired refuses to sign; the same key loaded again is not revived', async () => {
  const verified = await verifiedTenant('retiredco');
  const old = keyPair();
  const ring = await keyring(old);
  await keyring(keyPair());
  await expect(issuer(ring).handle(verified, noTx)).rejects.toMatchObject({ name: 'RetiredSigningKeyError' });
  expect(await new PostgresCertificateStore(pool).find('retiredco', 'termination:t-1')).toBeUndefined();
  // A keyring whose source now holds the current key (a rotated signing.key) signs with it.
  const current = keyPair();
  const reloading = new SigningKeyring(new PostgresSigningKeyRegistry(pool), async () => current, clock, old);
  await new SigningKeyring(new PostgresSigningKeyRegistry(pool), async () => current, clock, current).activate();
  await issuer(reloading).handle(verified, noTx);
  expect(await issuedEvents('retiredco')).toHaveLength(1);
});
