/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Crypto-shredding end to end with LETHE_VAULT=pkcs11: the engine in this process keeps tenant keys on
// a SoftHSM2 token (PIN from a 0600 file). A tenant is onboarded with two databases (their data keys
// wrapped by the token), its key rotated, a key version made on the token outside Lethe is detected,
// and a termination is shredded at executeAt, verified by the read probe and certified. Afterwards the
// token's own listing holds no object of the tenant. Skipped, saying what to install, without SoftHSM2
// or the pkcs11js binding.
import { execFileSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCertificate } from '@lethe/lifecycle';
import { binaryPath, createSoftHsmToken, SOFTHSM_INSTALL_HINT, softHsmModulePath, type SoftHsmToken } from '@lethe/testing';
import { loadPkcs11Binding, Pkcs11KeyVault, PKCS11_BINDING_INSTALL_HINT, tenantLabelPrefix } from '@lethe/vault';
import { ManualClock } from '@lethe/clock';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { waitUntil } from '../support/engine-process.js';

const binding = await loadPkcs11Binding().catch(() => undefined);
const missing = [softHsmModulePath() && binaryPath('softhsm2-util') ? undefined : SOFTHSM_INSTALL_HINT, binding ? undefined : PKCS11_BINDING_INSTALL_HINT].filter(Boolean);
if (missing.length > 0) console.warn(`test/e2e/pkcs11-shred.int-spec.ts: SKIPPED: ${missing.join('; ')}`);
const describeWithToken = missing.length === 0 ? describe : describe.skip;
const pkcs11Tool = binaryPath('pkcs11-tool');

// Mon 4 Jan 2027, London.
const T0 = '2027-01-04T09:00:00.000Z';
const TENANT = 'hsm-co';

describeWithToken('a shred with the tenant keys on a PKCS#11 token (SoftHSM2)', () => {
  let token: SoftHsmToken;
  let e: InProcessEngine;
  /** The same token and database, opened beside the engine: to look at the token and to act as another tool. */
  let inspector: Pkcs11KeyVault;

  beforeAll(async () => {
    token = createSoftHsmToken();
    const pinFile = join(mkdtempSync(join(tmpdir(), 'lethe-pin-')), 'pin');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    e = await startInProcessEngine(T0, {
      LETHE_VAULT: 'pkcs11',
      LETHE_PKCS11_MODULE: token.modulePath,
      LETHE_PKCS11_TOKEN_LABEL: token.tokenLabel,
      LETHE_PKCS11_PIN_FILE: pinFile,
      LETHE_KEY_DETECTION_MS: String(3_600_000),
    });
    inspector = await Pkcs11KeyVault.open({
      pool: e.pool,
      clock: new ManualClock(new Date(T0)),
      scanCacheMs: 0,
      token: { modulePath: token.modulePath, tokenLabel: token.tokenLabel, pin: token.pin, pinSetting: 'LETHE_PKCS11_PIN' },
    });
  }, 60_000);

  afterAll(async () => {
    await e?.stop();
    await inspector?.close();
    token?.dispose();
  });

  /** Labels of the tenant's objects, by the token's own listing (C_FindObjects through the binding). */
  const tenantObjects = async () => (await inspector.scanToken()).map((o) => o.label).filter((l) => l.startsWith(tenantLabelPrefix(TENANT)));
  /** The same through OpenSC's pkcs11-tool, another program, when installed. */
  const listedByPkcs11Tool = () =>
    execFileSync(pkcs11Tool!, ['--module', token.modulePath, '--token-label', token.tokenLabel, '--login', '--pin', token.pin, '--list-objects'], {
      env: { ...process.env, SOFTHSM2_CONF: token.conf },
      encoding: 'utf8',
      timeout: 30_000,
    });
  const setClock = async (now: string) => expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now })).status).toBe(200);
  const keyRingEvents = async () =>
    (await e.pool.query('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [`keys-${TENANT}`])).rows as { type: string; data: any }[];

  it('keeps the keys on the token, detects one made outside Lethe, shreds, verifies, certifies, and leaves nothing on the token', async () => {
    expect(e.logLines.some((l) => l.includes('key vault: PKCS#11 token'))).toBe(true);
    const onboarded = await e.api('POST', '/v1/tenants', e.tokens.operator, {
      tenantId: TENANT,
      jurisdiction: 'GB-ENG',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
    });
    expect(onboarded.status).toBe(201);
    const rotated = await e.api('POST', `/v1/tenants/${TENANT}/keys/rotate`, e.tokens.operator, undefined, { 'idempotency-key': 'rotate-hsm-1' });
    expect(rotated.status).toBe(202);
    await waitUntil(async () => (await tenantObjects()).length === 2, 10_000, 'two key objects of the tenant on the token');
    // The local vault holds nothing: the keys are the token's.
    expect((await e.pool.query('select count(*)::int as n from vault_key_versions')).rows[0].n).toBe(0);
    // The data plane's data keys were wrapped by the token (the pkcs11 format byte).
    await waitUntil(async () => (await e.pool.query('select 1 from dataplane_databases where tenant_id = $1', [TENANT])).rowCount === 2, 10_000, 'both databases protected');
    const wrappedKeys = await e.pool.query<{ wrapped_data_key: Buffer }>('select wrapped_data_key from dataplane_databases where tenant_id = $1', [TENANT]);
    expect(wrappedKeys.rows.map((r) => r.wrapped_data_key[0])).toEqual([0x11, 0x11]);

    // The client makes a key version on the token itself; the next detection records it.
    await inspector.token.withSession(async (session, module) => {
      const c = (name: string) => inspector.token.c(name);
      await module.C_GenerateKeyAsync(session, { mechanism: c('CKM_AES_KEY_GEN') }, [
        { type: c('CKA_CLASS'), value: c('CKO_SECRET_KEY') },
        { type: c('CKA_KEY_TYPE'), value: c('CKK_AES') },
        { type: c('CKA_VALUE_LEN'), value: 32 },
        { type: c('CKA_TOKEN'), value: true },
        { type: c('CKA_PRIVATE'), value: true },
        { type: c('CKA_SENSITIVE'), value: true },
        { type: c('CKA_ENCRYPT'), value: true },
        { type: c('CKA_DECRYPT'), value: true },
        { type: c('CKA_LABEL'), value: `${tenantLabelPrefix(TENANT)}client-key-1` },
        { type: c('CKA_ID'), value: Buffer.from('client-key-1') },
      ]);
    });
    if (pkcs11Tool) expect(listedByPkcs11Tool()).toContain(`${tenantLabelPrefix(TENANT)}client-key-1`);
    await setClock('2027-01-04T10:30:00.000Z');
    await waitUntil(
      async () => (await keyRingEvents()).some((ev) => ev.type === 'KeyVersionAdded' && ev.data.source === 'detected'),
      10_000,
      'the key version made outside Lethe detected',
    );
    expect(await tenantObjects()).toHaveLength(3);

    // Terminated now: executed at the end of the second working day, verified, certified.
    const terminated = await e.api('POST', `/v1/tenants/${TENANT}/terminations`, e.tokens['contract-system'], {
      terminationId: 'term-hsm',
      contractId: 'contract-hsm',
      effectiveAt: '2027-01-04T10:30:00Z',
    });
    expect(terminated.status).toBe(202);
    const executeAt = new Date(terminated.body.executeAt);
    for (const day of ['2027-01-05T12:00:00.000Z', '2027-01-06T12:00:00.000Z']) await setClock(day);
    expect(await tenantObjects()).toHaveLength(3);
    await setClock(new Date(executeAt.getTime() + 60_000).toISOString());
    await waitUntil(async () => (await e.api('GET', `/v1/tenants/${TENANT}`, e.tokens['ops-reader'])).body?.status === 'verified', 15_000, 'the shred verified');
    let cert: any;
    await waitUntil(async () => (cert = await e.api('GET', `/v1/tenants/${TENANT}/deletion-certificate`, e.tokens['ops-reader'])).status === 200, 10_000, 'the certificate');
    const publicKey = (await e.api('GET', '/v1/certificate-key')).body;
    expect(verifyCertificate(cert.body, createPublicKey(publicKey.pem))).toEqual({ valid: true, keyId: publicKey.keyId });
    expect(cert.body.certificate).toMatchObject({ tenantId: TENANT, verifiedWithinDeadline: true, trigger: { terminationId: 'term-hsm' } });
    // Every version the token held: the two Lethe made and the one detected.
    expect(cert.body.certificate.destroyedKeyVersions).toHaveLength(3);
    // The read probe asked the vault to unwrap each database's data key: the token's key was gone.
    expect(cert.body.certificate.probes.at(-1)).toMatchObject({
      outcome: 'key-destroyed',
      results: [
        { databaseId: 'db-1', outcome: 'key-destroyed' },
        { databaseId: 'db-2', outcome: 'key-destroyed' },
      ],
    });

    // Nothing of the tenant is left on the token, by its own listing (and by pkcs11-tool's).
    expect(await tenantObjects()).toEqual([]);
    if (pkcs11Tool) expect(listedByPkcs11Tool()).not.toContain(tenantLabelPrefix(TENANT));
    // Never again: the tombstone refuses the tenant a key.
    expect((await e.api('POST', '/v1/tenants', e.tokens.operator, { tenantId: TENANT, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] })).status).toBe(409);
    // The PIN never reached a log line.
    expect(e.logLines.filter((l) => l.includes(token.pin))).toEqual([]);
  }, 90_000);
});
