import { KeyTombstonedError, UnknownKeyVersionError } from './errors.js';
import { isKeyVaultUnavailable, KeyVaultUnavailableError } from './vault-unavailable.js';

describe('isKeyVaultUnavailable: an outage of the vault, told apart from a refusal', () => {
  it.each([
    ['KeyVaultUnavailableError', new KeyVaultUnavailableError()],
    ['a timeout', new KeyVaultUnavailableError('timeout')],
    ['an error coded VAULT_UNAVAILABLE', Object.assign(new Error('down'), { code: 'VAULT_UNAVAILABLE' })],
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    ['a PostgreSQL connection failure (local adapter)', Object.assign(new Error('gone'), { code: '08006' })],
    ['a PostgreSQL shutdown', Object.assign(new Error('terminating'), { code: '57P01' })],
    ['an HTTP 503 (statusCode)', Object.assign(new Error('busy'), { statusCode: 503 })],
    ['an HTTP 500 (status)', Object.assign(new Error('oops'), { status: 500 })],
    ['an HTTP 429', Object.assign(new Error('slow down'), { statusCode: 429 })],
    ['an abort by timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' })],
    ['an outage as the cause', new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) })],
  ])('%s is unavailable', (_what, error) => {
    expect(isKeyVaultUnavailable(error)).toBe(true);
  });

  it.each([
    ['a refusal of the vault', new UnknownKeyVersionError('v1')],
    ['the resurrection guard', new KeyTombstonedError('k1', 't1')],
    ['a refusal with a 5xx-looking field', Object.assign(new UnknownKeyVersionError('v1'), { status: 503 })],
    ['an HTTP 404', Object.assign(new Error('nope'), { statusCode: 404 })],
    ['a bug', new TypeError('x is undefined')],
    ['a PostgreSQL constraint violation', Object.assign(new Error('dup'), { code: '23505' })],
    ['a non-error value', 'down'],
    ['null', null],
  ])('%s is not', (_what, error) => {
    expect(isKeyVaultUnavailable(error)).toBe(false);
  });
});
