import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { LeakScanner } from './leaks.js';
import { promises, Scenario, tenant } from './oracle-scenario.fixture.js';

const masterKey = randomBytes(32).toString('base64');
const token = `op-${randomBytes(20).toString('hex')}`;
const scanner = new LeakScanner([masterKey, token]);

describe('P6: no key material, secret or token in an event', () => {
  it('finds the master key the engine was given, as base64, hex or base64url', () => {
    const bytes = Buffer.from(masterKey, 'base64');
    for (const form of [masterKey, bytes.toString('hex'), bytes.toString('base64url')]) {
      expect(scanner.scan({ error: `failed with ${form}` })).toContain('secret');
    }
  });

  it('finds an API token', () => {
    expect(scanner.scan({ reason: `renewed by ${token}` })).toContain('secret');
  });

  it('finds key material it was never told about: 32 bytes as base64 or hex', () => {
    // Fixed bytes (a random draw lacks a digit once in ~1400 and would pass as a word).
    const material = createHash('sha256').update('key material').digest();
    expect(new LeakScanner([]).scan({ detail: { blob: material.toString('base64') } })).toContain('detail.blob');
    expect(new LeakScanner([]).scan({ versions: [{ material: material.toString('hex') }] })).toContain('hex');
  });

  it("passes what events carry: ids, a certificate's SHA-256, instants, reasons", () => {
    const ok = {
      shredId: `termination:${randomUUID()}`,
      keyVersionId: `vkv-${randomUUID()}`,
      sha256: randomBytes(32).toString('hex'),
      at: '2027-01-01T00:00:00.000Z',
      reason: 'contract renewed for another three years after negotiation',
      tenantId: 'tenant-with-a-rather-long-descriptive-identifier-0001',
      ids: [randomUUID(), randomUUID()],
    };
    expect(scanner.scan(ok)).toBeNull();
  });

  it('reports a leaking event as P6 against its tenant, once', () => {
    const s = new Scenario([masterKey])
      .fact({ at: '2027-01-01T00:00:00.000Z', kind: 'onboard', tenant: tenant() })
      .opened('acme', '2027-01-01T00:00:00.000Z', 'v0', ['db-1'])
      .tenantEvent('acme', 'ShredStepFailed', { shredId: 's', step: 'destroy-keys', failure: 1, error: `vault said ${masterKey}` }, '2027-01-01T00:00:00.000Z');
    const found = s.checkAt('2027-01-01T00:00:00.000Z');
    expect(promises(found)).toEqual(['acme P6']);
    expect(found[0].expected).toContain('ShredStepFailed');
    expect(found[0].actual).not.toContain(masterKey);
  });
});
