// P6: no key material, secret or token in an event. Two nets: the secrets the driver knows (the
// master key it gave the engine, its API tokens), in the forms they could be written in; and any
// long high-entropy run of base64 or hex (>= 32 bytes) that is not a known digest field, which is
// what leaked key material looks like whatever key it is.

/** Fields whose hex value is a digest, not material (the certificate's SHA-256). */
const DIGEST_FIELDS = new Set(['sha256']);
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** 32 bytes or more: 64 hex digits, 43 base64 characters. */
const HEX_RUN = /[0-9a-fA-F]{64,}/;
const BASE64_RUN = /[A-Za-z0-9+/_-]{43,}={0,2}/g;
/** Bits per character below which a run reads as words or ids, not random bytes (random base64 measures ~5). */
const MIN_ENTROPY_BITS = 4.2;

function entropyBits(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function looksLikeMaterial(value: string): string | null {
  const text = value.replace(UUID, '#');
  if (HEX_RUN.test(text)) return 'a run of 64+ hex digits';
  for (const run of text.match(BASE64_RUN) ?? []) {
    if (/[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run) && entropyBits(run) >= MIN_ENTROPY_BITS) return 'a high-entropy base64 run of 32+ bytes';
  }
  return null;
}

/** The written forms of a secret: as given, and when it is base64 of 16+ bytes, its bytes as hex and base64url. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret]);
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(secret)) {
    const bytes = Buffer.from(secret, 'base64');
    if (bytes.length >= 16) {
      forms.add(bytes.toString('hex'));
      forms.add(bytes.toString('base64url'));
      forms.add(bytes.toString('base64'));
    }
  }
  return [...forms].filter((f) => f.length >= 8);
}

export class LeakScanner {
  private readonly forms: string[];

  constructor(secrets: readonly string[]) {
    this.forms = secrets.flatMap(secretForms);
  }

  /** What in the event's data looks like a leak (a path and why), or null. */
  scan(data: unknown): string | null {
    const json = JSON.stringify(data) ?? '';
    for (const form of this.forms) if (json.includes(form)) return 'a secret the engine was given (master key or API token)';
    return this.walk(data, '');
  }

  private walk(value: unknown, path: string): string | null {
    if (typeof value === 'string') {
      const field = path.slice(path.lastIndexOf('.') + 1);
      if (DIGEST_FIELDS.has(field)) return null;
      const why = looksLikeMaterial(value);
      return why === null ? null : `${path || 'data'}: ${why}`;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = this.walk(value[i], `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) {
        const found = this.walk(v, path ? `${path}.${k}` : k);
        if (found) return found;
      }
      // Keys can carry data too.
      for (const k of Object.keys(value)) if (looksLikeMaterial(k)) return `${path || 'data'}: a key that looks like key material`;
    }
    return null;
  }
}
