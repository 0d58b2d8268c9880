import { canonicalJson, MAX_CANONICAL_DEPTH } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined members like JSON does, and maps a missing body to null', () => {
    expect(canonicalJson({ a: undefined, b: 'x' })).toBe('{"b":"x"}');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([undefined])).toBe('[null]');
  });

  it('escapes strings and keys as JSON', () => {
    expect(canonicalJson({ 'k"ey': 'Grüße\n🔑' })).toBe('{"k\\"ey":"Grüße\\n🔑"}');
  });
});

describe('canonicalJson on deep input', () => {
  /** `{"a":[{"a":[…1…]}]}` `depth` levels deep, and its JSON text (built without recursion). */
  const nestedWithText = (depth: number): [unknown, string] => {
    let v: unknown = 1;
    let text = '1';
    for (let i = 0; i < depth; i++) {
      v = i % 2 === 0 ? { a: v } : [v];
      text = i % 2 === 0 ? `{"a":${text}}` : `[${text}]`;
    }
    return [v, text];
  };
  const nested = (depth: number) => nestedWithText(depth)[0];

  it('writes a value nested 5,000 deep without overflowing the stack', () => {
    const [deep, text] = nestedWithText(5_000);
    expect(canonicalJson(deep)).toBe(text);
  });

  it('refuses a value nested deeper than its limit, or a cycle, with a RangeError instead of a stack overflow', () => {
    expect(() => canonicalJson(nested(MAX_CANONICAL_DEPTH + 1))).toThrow(/nested deeper than/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/nested deeper than/);
  });
});
