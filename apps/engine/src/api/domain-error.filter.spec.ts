import { DomainError } from '@lethe/domain';
import { ConcurrentModificationError } from '@lethe/lifecycle';
import { problemOf } from './domain-error.filter.js';

describe('problemOf', () => {
  it('answers 404 for what does not exist', () => {
    expect(problemOf(new DomainError('backup-not-found', 'backup not found')).problem).toEqual(expect.objectContaining({ status: 404, extensions: { code: 'backup-not-found' } }));
  });

  it('answers 400 naming the field for a rule about the request itself', () => {
    expect(problemOf(new DomainError('unknown-database', 'no such database')).problem).toEqual(
      expect.objectContaining({ status: 400, errors: [{ field: 'databaseId', rule: 'no such database' }] }),
    );
  });

  it('answers 409 with the rule as the problem type otherwise', () => {
    expect(problemOf(new DomainError('client-held-key', 'the client holds this key')).problem).toEqual(
      expect.objectContaining({ status: 409, type: 'urn:lethe:problem:client-held-key', detail: 'the client holds this key' }),
    );
  });

  it('answers 409 with Retry-After for a command that kept losing races', () => {
    expect(problemOf(new ConcurrentModificationError('keys-acme', 12, 1)).problem).toEqual(
      expect.objectContaining({ status: 409, type: 'urn:lethe:problem:concurrent-modification', headers: { 'Retry-After': '1' } }),
    );
  });
});
