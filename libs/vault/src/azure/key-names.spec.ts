import { AZURE_KEY_NAME_MAX, keyNameOf, parseVersionId, tenantOfKeyName, versionIdOf } from './key-names.js';

describe('Azure Key Vault key names', () => {
  it('maps an HTTP tenant id readably and reversibly', () => {
    expect(keyNameOf('lethe-', 'acme-corp')).toBe('lethe-t-acme-corp');
    expect(tenantOfKeyName('lethe-', 'lethe-t-acme-corp')).toBe('acme-corp');
    const longest = `a${'-b'.repeat(31)}`; // 63 characters, the longest id the API accepts
    expect(keyNameOf('lethe-', longest)).toBe(`lethe-t-${longest}`);
    expect(tenantOfKeyName('lethe-', keyNameOf('lethe-', longest))).toBe(longest);
  });

  it('maps any other tenant id to a hashed name within the rules, never colliding with a readable one', () => {
    for (const tenantId of ['Acme', 'acme_corp', 'tenant.with.dots', 'ünïcode', 'x'.repeat(200), '-leading']) {
      const name = keyNameOf('lethe-', tenantId);
      expect(name).toMatch(/^lethe-h-[0-9a-f]{32}$/);
      expect(name.length).toBeLessThanOrEqual(AZURE_KEY_NAME_MAX);
      expect(tenantOfKeyName('lethe-', name)).toBeUndefined();
    }
    // Key Vault ignores case: 'Acme' must not land on 'acme''s key.
    expect(keyNameOf('lethe-', 'Acme')).not.toBe(keyNameOf('lethe-', 'acme'));
    expect(keyNameOf('lethe-', 'Acme')).toBe(keyNameOf('lethe-', 'Acme'));
    // A readable tenant id that looks like a hash still gets a t- name.
    expect(keyNameOf('lethe-', 'h-0123')).toBe('lethe-t-h-0123');
  });

  it('every name fits Key Vault: 1-127 letters, digits and hyphens', () => {
    const prefix = `${'p'.repeat(39)}-`;
    for (const tenantId of ['a', 'a'.repeat(63), 'a'.repeat(100), 'Z'.repeat(300)]) {
      expect(keyNameOf(prefix, tenantId)).toMatch(/^[0-9a-zA-Z-]{1,127}$/);
    }
  });

  it('refuses a prefix Key Vault could not use or that would make names differ only by case', () => {
    for (const prefix of ['', 'Lethe-', 'lethe_', '-lethe', 'p'.repeat(41)]) expect(() => keyNameOf(prefix, 'acme')).toThrow(/prefix/);
    expect(() => keyNameOf('lethe-', '')).toThrow(/tenantId/);
  });

  it('version ids name the key and the Key Vault version', () => {
    const id = versionIdOf('lethe-t-acme', '0123456789abcdef0123456789abcdef');
    expect(id).toBe('lethe-t-acme/0123456789abcdef0123456789abcdef');
    expect(parseVersionId(id)).toEqual({ keyName: 'lethe-t-acme', version: '0123456789abcdef0123456789abcdef' });
    for (const other of ['vkv-1234', 'unknown-x', 'a/b/c', '/abc', 'abc/', 'a_b/123', `${'a'.repeat(128)}/1`]) expect(parseVersionId(other)).toBeUndefined();
  });
});
