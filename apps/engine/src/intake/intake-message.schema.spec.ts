import { parseIntakeMessage } from './intake-message.schema.js';

const NOW = new Date('2027-03-01T09:00:00Z');
const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
const termination = { schemaVersion: 1, tenantId: 'acme', terminationId: 't-1', contractId: 'c-1', effectiveAt: '2027-03-03T17:00:00Z' };

describe('parseIntakeMessage', () => {
  it('given a termination on contract.terminated, then it is that termination', () => {
    expect(parseIntakeMessage('contract.terminated', bytes({ ...termination, reason: 'ended' }), NOW)).toEqual({
      ok: true,
      message: { kind: 'termination', body: { ...termination, reason: 'ended' } },
    });
  });

  it('given a deletion request on tenant.deletion-requested, then it is that request', () => {
    expect(parseIntakeMessage('tenant.deletion-requested', bytes({ schemaVersion: 1, tenantId: 'acme', requestId: 'r-1' }), NOW)).toEqual({
      ok: true,
      message: { kind: 'deletion-request', body: { schemaVersion: 1, tenantId: 'acme', requestId: 'r-1' } },
    });
  });

  it('refuses a field the HTTP route refuses, naming it and its rule', () => {
    const parsed = parseIntakeMessage('contract.terminated', bytes({ ...termination, effectiveAt: 'soon' }), NOW);
    expect(parsed).toMatchObject({ ok: false, kind: 'termination', errors: [{ field: 'effectiveAt', rule: expect.stringMatching(/ISO 8601/) }] });
  });

  it('refuses a message without its schema version, or of another version', () => {
    const { schemaVersion: _, ...unversioned } = termination;
    expect(parseIntakeMessage('contract.terminated', bytes(unversioned), NOW)).toMatchObject({ ok: false, errors: [{ field: 'schemaVersion', rule: 'must be 1 (the message schema version)' }] });
    expect(parseIntakeMessage('contract.terminated', bytes({ ...termination, schemaVersion: 2 }), NOW)).toMatchObject({ ok: false, errors: [{ field: 'schemaVersion' }] });
  });

  it('refuses a bad tenant id, an unknown field, a body that is not JSON, and another routing key', () => {
    expect(parseIntakeMessage('contract.terminated', bytes({ ...termination, tenantId: 'ACME!' }), NOW)).toMatchObject({ ok: false, errors: [{ field: 'tenantId' }] });
    expect(parseIntakeMessage('contract.terminated', bytes({ ...termination, extra: 1 }), NOW)).toMatchObject({ ok: false, errors: [{ field: 'extra', rule: 'is not an allowed field' }] });
    expect(parseIntakeMessage('contract.terminated', bytes('{"tenantId":'), NOW)).toEqual({ ok: false, kind: 'termination', errors: [{ field: '(body)', rule: 'must be a JSON object in UTF-8' }] });
    expect(parseIntakeMessage('contract.renewed', bytes(termination), NOW)).toEqual({
      ok: false,
      kind: undefined,
      errors: [{ field: '(routing key)', rule: 'must be contract.terminated or tenant.deletion-requested' }],
    });
  });
});
