import { Ajv } from 'ajv';
import { INTEGRATION_EVENT_TYPES, type IntegrationEvent } from '../contract/integration-event.js';
import { integrationEventSchema } from '../contract/integration-event-schemas.js';
import { SAMPLE_TENANT_ID, SAMPLES } from './samples.js';
import { toIntegrationEvent, type StoredTenantEvent } from './to-integration-event.js';

/** RFC 3339 date-time, as JSON Schema's format names it (ajv leaves formats to the caller). */
const isInstant = (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));

const mapped = (type: StoredTenantEvent['type']) => {
  const sample = SAMPLES.find((s) => s.type === type);
  if (!sample) throw new Error(`no sample of ${type}`);
  return toIntegrationEvent(sample) as IntegrationEvent;
};

describe('toIntegrationEvent', () => {
  it('publishes every type of the contract from some sample, each valid against its own schema', () => {
    const ajv = new Ajv({ strict: true, allErrors: true, formats: { 'date-time': isInstant } });
    const events = SAMPLES.map(toIntegrationEvent).filter((e) => e !== undefined);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(INTEGRATION_EVENT_TYPES));
    for (const event of events) {
      const validate = ajv.compile(integrationEventSchema(event.type));
      expect({ type: event.type, valid: validate(event), errors: validate.errors ?? null }).toEqual({ type: event.type, valid: true, errors: null });
    }
  });

  it('derives the id from the domain event id and the type: the same on every run, different between events', () => {
    const first = SAMPLES.map((s) => toIntegrationEvent(s)?.id);
    const again = SAMPLES.map((s) => toIntegrationEvent({ ...s })?.id);
    expect(again).toEqual(first);
    expect(new Set(first.filter(Boolean)).size).toBe(first.filter(Boolean).length);
  });

  it('carries the tenant, the schema version, the decision instant and the log position', () => {
    expect(mapped('KeyVersionRetired')).toMatchObject({
      type: 'key.version-retired',
      schemaVersion: 1,
      tenantId: SAMPLE_TENANT_ID,
      time: '2028-04-02T09:00:00.000Z',
      position: '104',
      data: { keyVersionId: 'kv-1', retainUntil: '2028-05-03T09:05:00.000Z' },
    });
  });

  it('shred.verified names the certificate: its id, hash, signing key and where to fetch it', () => {
    expect(mapped('DeletionCertificateIssued').data).toEqual({
      shredId: 'shred-2',
      certificate: {
        id: 'dc-6f1c0a3e-2b7d-8c4f-9a1e-3d5b7c9e1f20',
        sha256: '3b7e0c2f9a1d4e5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3',
        signingKeyId: 'signing-2028-01',
        href: `/v1/tenants/${SAMPLE_TENANT_ID}/deletion-certificate`,
      },
    });
  });

  it('never copies free text a caller typed: termination and cancel reasons stay internal', () => {
    const scheduled = JSON.stringify(mapped('ShredScheduled'));
    const cancelled = JSON.stringify(mapped('ShredCancelled'));
    expect(scheduled).not.toContain('customer left');
    expect(cancelled).not.toContain('phone');
    expect(mapped('ShredCancelled').data).toEqual({ shredId: 'shred-1' });
  });

  it('a backup becomes backup.unrestorable only when recorded after a version it needs was retired', () => {
    const unrestorable = SAMPLES.find((s) => s.type === 'BackupRecorded') as Extract<StoredTenantEvent, { type: 'BackupRecorded' }>;
    expect(toIntegrationEvent(unrestorable)?.type).toBe('backup.unrestorable');
    expect(toIntegrationEvent({ ...unrestorable, data: { ...unrestorable.data, unrestorable: null } })).toBeUndefined();
  });

  it('publishes nothing for internal steps (the opened ring, a probe, a purge)', () => {
    const internal = { id: 'e-1', tenantId: SAMPLE_TENANT_ID, position: 1n, type: 'ShredExecutionStarted', data: { shredId: 's', at: '2028-01-01T00:00:00.000Z' } } as const;
    expect(toIntegrationEvent(internal)).toBeUndefined();
  });
});
