// Checks EVENTSTORE_CONNECTION_STRING at boot without ever echoing it: it may hold a user name and
// password. The client's own parser prints the whole string on a warning for an option it does not
// know, so unknown options are refused here before it sees them; its errors are not passed on.
import { EventStoreDBClient } from '@eventstore/db-client';

export const CONNECTION_STRING_RULE =
  'must be an esdb:// or esdb+discover:// connection string (KurrentDB servers take the same), e.g. esdb://localhost:2113?tls=false, with only the client\'s options';

// The client's options (@eventstore/db-client 6.x), compared as it does: case and - _ ignored.
const KNOWN_OPTIONS = new Set([
  'usercertfile',
  'userkeyfile',
  'maxdiscoverattempts',
  'connectionname',
  'defaultdeadline',
  'discoveryinterval',
  'gossiptimeout',
  'nodepreference',
  'tls',
  'tlsverifycert',
  'tlscafile',
  'throwonappendfailure',
  'keepaliveinterval',
  'keepalivetimeout',
]);

const flat = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, '');

/** The rule the connection string breaks, or undefined when the client accepts it. Never contains the string. */
export function connectionStringProblem(connectionString: string): string | undefined {
  const value = connectionString.trim();
  if (!/^esdb(\+discover)?:\/\/\S+$/.test(value)) return CONNECTION_STRING_RULE;
  const query = value.includes('?') ? value.slice(value.indexOf('?') + 1) : '';
  for (const pair of query.split('&').filter((p) => p.length > 0)) {
    const [key, option = ''] = pair.split('=');
    if (!KNOWN_OPTIONS.has(flat(key))) return `${CONNECTION_STRING_RULE} (an option is not one of the client's)`;
    // The adapter maps the client's thrown conflicts to the port's; a result-code mode would skip that.
    if (flat(key) === 'throwonappendfailure' && option.trim().toLowerCase() !== 'true') return 'must not set throwOnAppendFailure=false (Lethe maps the conflicts it throws)';
  }
  try {
    void EventStoreDBClient.connectionString(value).dispose();
  } catch {
    return CONNECTION_STRING_RULE;
  }
  return undefined;
}
