import { jest } from '@jest/globals';
import { connectionStringProblem, CONNECTION_STRING_RULE } from './connection-string.js';

describe('EventStoreDB connection string', () => {
  it('accepts what the client parses: one node, a cluster with credentials, DNS discovery', () => {
    expect(connectionStringProblem('esdb://localhost:2113?tls=false')).toBeUndefined();
    expect(connectionStringProblem('esdb://admin:changeit@node1:2113,node2:2113?tls=true&nodePreference=leader')).toBeUndefined();
    expect(connectionStringProblem('esdb+discover://cluster.example.org:2113?tlsVerifyCert=true')).toBeUndefined();
  });

  it('refuses another scheme, a bad port or an empty host, without echoing the string', () => {
    for (const bad of ['http://localhost:2113', 'esdb://', 'esdb://u:secret-pw@localhost:abc', 'kurrentdb://localhost:2113']) {
      const problem = connectionStringProblem(bad);
      expect(problem).toBe(CONNECTION_STRING_RULE);
      expect(problem).not.toContain('secret-pw');
    }
  });

  it('refuses an option the client does not know (it would print the string, credentials included)', () => {
    const warn = jest.spyOn(console, 'warn');
    expect(connectionStringProblem('esdb://u:secret-pw@localhost:2113?tls=false&colour=blue')).toContain("not one of the client's");
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('refuses throwOnAppendFailure=false: conflicts must arrive as errors', () => {
    expect(connectionStringProblem('esdb://localhost:2113?throwOnAppendFailure=false')).toContain('throwOnAppendFailure');
    expect(connectionStringProblem('esdb://localhost:2113?throw-on-append-failure=true')).toBeUndefined();
  });
});
