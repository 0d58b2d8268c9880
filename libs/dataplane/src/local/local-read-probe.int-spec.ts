import pg from 'pg';
import net from 'node:net';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { LocalKeyVault, MasterKey, looksLikeKeyMaterial, vaultMigrations, type KeyVault } from '@lethe/vault';
import { LocalDataPlane, LocalReadProbe, dataplaneMigrations, platformKeyFrom, type ProbeResult } from '../index.js';

let db: TestDatabase;
let pool: pg.Pool;
const masterKey = MasterKey.generate();
const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
let vault: LocalKeyVault;
let plane: LocalDataPlane;
let probe: LocalReadProbe;
const results: ProbeResult[] = [];
/** Every verdict, collected for the no-leak check at the end. */
const probeWith = async (p: LocalReadProbe, t: string, d: string) => {
  const result = await p.probe(t, d);
  results.push(result);
  return result;
};

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  vault = new LocalKeyVault(pool, masterKey, clock);
  plane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
  probe = new LocalReadProbe(pool, vault);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

let seq = 0;
/** A tenant with a key and one protected database `db`. */
async function protectedTenant() {
  const t = `probe-tenant-${++seq}`;
  const key = await vault.createKey(t);
  await plane.protectDatabase(t, 'db', key.versionId);
  return { t, key };
}

/** A vault that delegates to the real one but replaces unwrap. */
function withUnwrap(unwrap: KeyVault['unwrap']): KeyVault {
  return {
    capabilities: vault.capabilities,
    createKey: (t) => vault.createKey(t),
    createVersion: (k, r) => vault.createVersion(k, r),
    listVersions: (k) => vault.listVersions(k),
    wrap: (v, p) => vault.wrap(v, p),
    unwrap,
    disable: (v) => vault.disable(v),
    enable: (v) => vault.enable(v),
    destroy: (v) => vault.destroy(v),
    destroyKey: (k) => vault.destroyKey(k),
  };
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('LocalReadProbe', () => {
  it('readable while the key version lives; key-destroyed once the vault destroyed it', async () => {
    const { t, key } = await protectedTenant();
    const readable = await probeWith(probe, t, 'db');
    expect(readable.outcome).toBe('readable');
    expect(readable.detail).toContain(key.versionId);
    await vault.destroy(key.versionId);
    const destroyed = await probeWith(probe, t, 'db');
    expect(destroyed).toEqual({ outcome: 'key-destroyed', detail: expect.stringContaining(key.versionId) });
    expect(destroyed.detail).toContain('destroyed');
  });

  it('key-destroyed for every database after destroyKey', async () => {
    const { t, key } = await protectedTenant();
    const v2 = await vault.createVersion(key.keyId);
    await plane.protectDatabase(t, 'db-2', v2.versionId);
    await vault.destroyKey(key.keyId);
    expect((await probeWith(probe, t, 'db')).outcome).toBe('key-destroyed');
    expect((await probeWith(probe, t, 'db-2')).outcome).toBe('key-destroyed');
  });

  it('a disabled (not destroyed) version is inconclusive: unreadable now, but the key still exists', async () => {
    const { t, key } = await protectedTenant();
    await vault.disable(key.versionId);
    const result = await probeWith(probe, t, 'db');
    expect(result.outcome).toBe('inconclusive');
    expect(result.detail).toContain('disabled');
  });

  it('an unknown database is inconclusive, never a pass', async () => {
    const result = await probeWith(probe, 'probe-tenant-none', 'db');
    expect(result.outcome).toBe('inconclusive');
    expect(result.detail).toContain('not known');
  });

  it('a pool on a closed port is inconclusive', async () => {
    const { t } = await protectedTenant();
    const broken = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${await closedPort()}/none`, connectionTimeoutMillis: 2000 });
    broken.on('error', reportIdleError);
    broken.on('error', () => undefined);
    try {
      const result = await probeWith(new LocalReadProbe(broken, vault), t, 'db');
      expect(result.outcome).toBe('inconclusive');
      expect(result.detail).toContain('ECONNREFUSED');
    } finally {
      await broken.end();
    }
  });

  it('an ended pool is inconclusive, for the probe and for the vault', async () => {
    const { t, key } = await protectedTenant();
    await vault.destroy(key.versionId); // even when the key *is* destroyed, no verdict without evidence
    const ended = new pg.Pool({ connectionString: db.url, max: 1 });
    ended.on('error', reportIdleError);
    await ended.end();
    expect((await probeWith(new LocalReadProbe(ended, vault), t, 'db')).outcome).toBe('inconclusive');
    const blindVault = new LocalKeyVault(ended, masterKey, clock);
    expect((await probeWith(new LocalReadProbe(pool, blindVault), t, 'db')).outcome).toBe('inconclusive');
  });

  it('no verdict within the timeout is inconclusive', async () => {
    const { t } = await protectedTenant();
    const hanging = withUnwrap(() => new Promise<Buffer>(() => undefined));
    const started = process.hrtime.bigint();
    const result = await probeWith(new LocalReadProbe(pool, hanging, { timeoutMs: 100 }), t, 'db');
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(result.outcome).toBe('inconclusive');
    expect(result.detail).toContain('100 ms');
    expect(elapsedMs).toBeLessThan(2000);
    expect(() => new LocalReadProbe(pool, vault, { timeoutMs: 0 })).toThrow(RangeError);
  });

  it('an unexpected vault error is inconclusive and its message is not copied into the detail', async () => {
    const { t } = await protectedTenant();
    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtbGVhaw==';
    const failing = withUnwrap(async () => {
      throw Object.assign(new Error(`vault exploded: ${secretish}`), { code: 'EBOOM' });
    });
    const result = await probeWith(new LocalReadProbe(pool, failing), t, 'db');
    expect(result).toEqual({ outcome: 'inconclusive', detail: expect.stringContaining('Error (EBOOM)') });
    expect(result.detail).not.toContain(secretish);
    expect(result.detail).not.toContain('exploded');
    const throwsString = withUnwrap(() => Promise.reject('a string'));
    expect((await probeWith(new LocalReadProbe(pool, throwsString), t, 'db')).outcome).toBe('inconclusive');
  });

  it('a vault with the wrong master key is inconclusive', async () => {
    const { t } = await protectedTenant();
    const wrongMaster = new LocalKeyVault(pool, MasterKey.generate(), clock);
    const result = await probeWith(new LocalReadProbe(pool, wrongMaster), t, 'db');
    expect(result.outcome).toBe('inconclusive');
    expect(result.detail).toContain('MasterKeyMismatchError');
  });

  it('altered records are inconclusive: a wrapped key that does not unwrap, a sentinel that does not decrypt', async () => {
    const a = await protectedTenant();
    await pool.query(`update dataplane_databases set wrapped_data_key = wrapped_data_key || '\\x00'::bytea where tenant_id = $1`, [a.t]);
    expect((await probeWith(probe, a.t, 'db')).outcome).toBe('inconclusive');
    const b = await protectedTenant();
    await pool.query(`update dataplane_databases set sentinel = set_byte(sentinel, length(sentinel) - 1, get_byte(sentinel, length(sentinel) - 1) # 1) where tenant_id = $1`, [b.t]);
    expect((await probeWith(probe, b.t, 'db')).outcome).toBe('inconclusive');
    // A wrong-length data key unwrapped by a vault is inconclusive too.
    const c = await protectedTenant();
    expect((await probeWith(new LocalReadProbe(pool, withUnwrap(async () => Buffer.alloc(16))), c.t, 'db')).outcome).toBe('inconclusive');
  });

  it('no detail carries anything that looks like key material', async () => {
    const { t, key } = await protectedTenant();
    const stored = await pool.query('select wrapped_data_key from dataplane_databases where tenant_id = $1', [t]);
    const dataKey = await vault.unwrap(key.versionId, stored.rows[0].wrapped_data_key);
    results.push(await probe.probe(t, 'db'));
    expect(results.length).toBeGreaterThan(12);
    for (const r of results) {
      expect(looksLikeKeyMaterial(r.detail)).toBe(false);
      for (const encoded of [dataKey.toString('hex'), dataKey.toString('base64'), masterKey.exportBytes().toString('base64')]) {
        expect(r.detail).not.toContain(encoded);
      }
    }
  });
});
