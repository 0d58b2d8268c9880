// One PKCS#11 token, found by its label, logged in as the user, with a small pool of sessions.
//
// - Sessions: a PKCS#11 session runs one cryptographic operation at a time, so every call borrows a
//   session of its own (at most `sessions` are open; more callers wait in line). Long calls (key
//   generation, encryption, decryption) run on the binding's worker threads, so the event loop is free
//   meanwhile; the library is initialised with OS locking for that.
// - Login: the user logs in once (PKCS#11 login state belongs to the application, not the session).
//   A token that forgot it (CKR_USER_NOT_LOGGED_IN), a broken session or a removed token drops every
//   idle session; the next call finds the token again by its label and logs in anew.
// - Failures of the token itself (device error, token removed, session lost) become
//   KeyVaultUnavailableError, which callers retry; other return codes reach the adapter to classify.
// - The PIN lives in a private field: never logged, never in an error, never in a template.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Pkcs11SettingError } from './pkcs11-errors.js';
import {
  acquireLibrary,
  constantOf,
  loginsOf,
  releaseLibrary,
  type Pkcs11Attribute,
  type Pkcs11Binding,
  type Pkcs11Handle,
  type Pkcs11Mechanism,
  type Pkcs11Module,
} from './pkcs11-binding.js';
import { KeyVaultError } from '../errors.js';
import { KeyVaultUnavailableError } from '../vault-unavailable.js';

export interface Pkcs11TokenSettings {
  /** LETHE_PKCS11_MODULE: path of the Cryptoki library (e.g. /usr/lib/softhsm/libsofthsm2.so). */
  readonly modulePath: string;
  /** LETHE_PKCS11_TOKEN_LABEL: the token's label (up to 32 characters; trailing blanks ignored). */
  readonly tokenLabel: string;
  /** The user PIN. Never logged. */
  readonly pin: string;
  /** The setting the PIN came from (LETHE_PKCS11_PIN or LETHE_PKCS11_PIN_FILE), named when the token refuses it. */
  readonly pinSetting: string;
  /** Sessions open at most. Default 4. */
  readonly sessions?: number;
}

/** Mechanisms the adapter needs from the token. */
const REQUIRED_MECHANISMS = ['CKM_AES_KEY_GEN', 'CKM_AES_GCM'] as const;

/** Return codes that mean the token (or our session with it) is not there now: retry later. */
const UNAVAILABLE_CODES = [
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_COUNT',
  'CKR_USER_NOT_LOGGED_IN',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
  'CKR_FUNCTION_FAILED',
  'CKR_HOST_MEMORY',
] as const;

/** Keys the in-memory PIN digests of loginsOf: they mean nothing outside this process. */
const PIN_DIGEST_KEY = randomBytes(32);
const pinDigest = (pin: string) => createHmac('sha256', PIN_DIGEST_KEY).update(pin, 'utf8').digest();

/** The CKR_* name of a binding error, or undefined when it is not a PKCS#11 return code. */
export function returnCodeOf(error: unknown): string | undefined {
  const message = (error as Error | undefined)?.message;
  return typeof message === 'string' && /^CKR_[A-Z0-9_]+$/.test(message) ? message : undefined;
}

export class Pkcs11Token {
  readonly #pin: string;
  readonly #module: Pkcs11Module;
  readonly #idle: Pkcs11Handle[] = [];
  readonly #waiting: ((session: Pkcs11Handle | Error) => void)[] = [];
  #open = 0;
  #slot: Pkcs11Handle | undefined;
  #loggedIn = false;
  #closed = false;
  readonly #maxSessions: number;

  private constructor(
    readonly binding: Pkcs11Binding,
    private readonly settings: Pkcs11TokenSettings,
    module: Pkcs11Module,
  ) {
    this.#pin = settings.pin;
    this.#module = module;
    this.#maxSessions = settings.sessions ?? 4;
    if (!Number.isInteger(this.#maxSessions) || this.#maxSessions < 1) throw new RangeError('sessions must be a whole number >= 1');
  }

  /**
   * Loads the library, finds the token, checks its mechanisms and logs in (one session, kept in the pool).
   * Pkcs11SettingError naming the setting at fault (module, token label, PIN).
   */
  static async open(binding: Pkcs11Binding, settings: Pkcs11TokenSettings): Promise<Pkcs11Token> {
    let module: Pkcs11Module;
    try {
      module = acquireLibrary(binding, settings.modulePath);
    } catch (error) {
      throw new Pkcs11SettingError('LETHE_PKCS11_MODULE', `${settings.modulePath} cannot be loaded as a PKCS#11 library (${(error as Error).message.split('\n')[0]})`);
    }
    const token = new Pkcs11Token(binding, settings, module);
    try {
      const slot = token.findSlot();
      const offered = new Set(module.C_GetMechanismList(slot));
      const missing = REQUIRED_MECHANISMS.filter((m) => !offered.has(token.c(m)));
      if (missing.length > 0) {
        throw new Pkcs11SettingError('LETHE_PKCS11_TOKEN_LABEL', `the token ${JSON.stringify(settings.tokenLabel)} does not offer ${missing.join(', ')}, which the adapter needs`);
      }
      token.release(await token.acquire());
      return token;
    } catch (error) {
      await token.close();
      throw error;
    }
  }

  get tokenLabel(): string {
    return this.settings.tokenLabel;
  }

  /** A constant of the binding by name (CKA_LABEL, CKM_AES_GCM…). */
  c(name: string): number {
    return constantOf(this.binding, name);
  }

  /**
   * Runs `work` with a logged-in session of its own. A failure of the token itself becomes
   * KeyVaultUnavailableError (and the session is dropped); other errors pass through unchanged (the
   * session is dropped too unless the error is a KeyVaultError, a refusal the adapter made).
   */
  async withSession<T>(work: (session: Pkcs11Handle, module: Pkcs11Module) => Promise<T> | T): Promise<T> {
    const session = await this.acquire();
    let healthy = true;
    try {
      return await work(session, this.#module);
    } catch (error) {
      const code = returnCodeOf(error);
      if (code && (UNAVAILABLE_CODES as readonly string[]).includes(code)) {
        healthy = false;
        this.forget(code);
        throw new KeyVaultUnavailableError('unavailable', `the PKCS#11 token ${JSON.stringify(this.settings.tokenLabel)} did not serve the call (${code})`);
      }
      // The adapter's typed refusals leave the session as it was; after anything else an operation
      // may still be active on it, so it is not lent again.
      if (!(error instanceof KeyVaultError)) healthy = false;
      throw error;
    } finally {
      if (healthy) this.release(session);
      else this.discard(session);
    }
  }

  /** Closes every session and lets go of the library. Waiting callers get KeyVaultUnavailableError. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter(new KeyVaultUnavailableError('unavailable', 'the PKCS#11 token was closed'));
    for (const session of this.#idle.splice(0)) this.closeSession(session);
    releaseLibrary(this.settings.modulePath);
  }

  private findSlot(): Pkcs11Handle {
    const wanted = this.settings.tokenLabel.trimEnd();
    const labels: string[] = [];
    const initialized = this.c('CKF_TOKEN_INITIALIZED');
    for (const slot of this.#module.C_GetSlotList(true)) {
      const info = this.#module.C_GetTokenInfo(slot);
      const label = info.label.trimEnd();
      if (label === wanted && (info.flags & initialized) !== 0) {
        this.#slot = slot;
        return slot;
      }
      if ((info.flags & initialized) !== 0) labels.push(JSON.stringify(label));
    }
    throw new Pkcs11SettingError(
      'LETHE_PKCS11_TOKEN_LABEL',
      `no initialised token labelled ${JSON.stringify(wanted)} is present (tokens present: ${labels.length > 0 ? labels.join(', ') : 'none'})`,
    );
  }

  private async acquire(): Promise<Pkcs11Handle> {
    if (this.#closed) throw new KeyVaultUnavailableError('unavailable', 'the PKCS#11 token was closed');
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#open < this.#maxSessions) {
      this.#open += 1;
      try {
        return this.openSession();
      } catch (error) {
        this.#open -= 1;
        throw error;
      }
    }
    const next = await new Promise<Pkcs11Handle | Error>((resolve) => this.#waiting.push(resolve));
    if (next instanceof Error) throw next;
    return next;
  }

  private openSession(): Pkcs11Handle {
    try {
      const slot = this.#slot ?? this.findSlot();
      const session = this.#module.C_OpenSession(slot, this.c('CKF_SERIAL_SESSION') | this.c('CKF_RW_SESSION'));
      if (!this.#loggedIn) {
        const logins = loginsOf(this.settings.modulePath);
        const label = this.settings.tokenLabel.trimEnd();
        try {
          this.#module.C_Login(session, this.c('CKU_USER'), this.#pin);
          logins.set(label, pinDigest(this.#pin));
        } catch (error) {
          const code = returnCodeOf(error);
          const earlier = logins.get(label);
          if (code === 'CKR_USER_ALREADY_LOGGED_IN' && earlier && !timingSafeEqual(earlier, pinDigest(this.#pin))) {
            // Logged in by another user of the token in this process, with another PIN: this one is not proven.
            this.closeSession(session);
            throw new Pkcs11SettingError(this.settings.pinSetting, `the token ${JSON.stringify(this.settings.tokenLabel)} is logged in with another PIN in this process (the PIN is not shown)`);
          }
          if (code !== 'CKR_USER_ALREADY_LOGGED_IN') {
            this.closeSession(session);
            if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LOCKED' || code === 'CKR_PIN_EXPIRED' || code === 'CKR_PIN_LEN_RANGE' || code === 'CKR_USER_PIN_NOT_INITIALIZED') {
              throw new Pkcs11SettingError(this.settings.pinSetting, `the token ${JSON.stringify(this.settings.tokenLabel)} refused the PIN (${code}; the PIN is not shown)`);
            }
            throw error;
          }
        }
        this.#loggedIn = true;
      }
      return session;
    } catch (error) {
      if (error instanceof Pkcs11SettingError) throw error;
      const code = returnCodeOf(error) ?? (error as Error).name;
      this.#slot = undefined;
      throw new KeyVaultUnavailableError('unavailable', `no session with the PKCS#11 token ${JSON.stringify(this.settings.tokenLabel)} (${code})`);
    }
  }

  private release(session: Pkcs11Handle): void {
    const waiter = this.#waiting.shift();
    if (waiter) waiter(session);
    else if (this.#closed) this.discard(session);
    else this.#idle.push(session);
  }

  /** Closes a broken session; a waiting caller gets a fresh one in its place. */
  private discard(session: Pkcs11Handle): void {
    this.closeSession(session);
    this.#open -= 1;
    const waiter = this.#waiting.shift();
    if (!waiter) return;
    this.acquire().then(waiter, waiter);
  }

  /** The token failed with `code`: idle sessions are dropped, and the next one logs in afresh. */
  private forget(code: string): void {
    this.#loggedIn = false;
    if (code !== 'CKR_USER_NOT_LOGGED_IN') this.#slot = undefined;
    for (const session of this.#idle.splice(0)) {
      this.closeSession(session);
      this.#open -= 1;
    }
  }

  private closeSession(session: Pkcs11Handle): void {
    try {
      this.#module.C_CloseSession(session);
    } catch {
      // Gone with the token already.
    }
  }

  /** The AES-GCM mechanism with `iv` and `aad` (128-bit tag). */
  gcm(iv: Buffer, aad: Buffer): Pkcs11Mechanism {
    return { mechanism: this.c('CKM_AES_GCM'), parameter: { type: this.c('CK_PARAMS_AES_GCM'), iv, aad, ivBits: iv.length * 8, tagBits: 128 } };
  }

  /** Attribute template helper: [name, value] pairs to PKCS#11 attributes. */
  template(entries: readonly (readonly [string, Pkcs11Attribute['value']])[]): Pkcs11Attribute[] {
    return entries.map(([name, value]) => ({ type: this.c(name), value }));
  }
}
