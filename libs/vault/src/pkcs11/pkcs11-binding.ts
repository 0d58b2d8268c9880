// The PKCS#11 binding (npm package `pkcs11js`, a native addon), loaded on demand: it is an optional
// dependency, so an installation without a C++ compiler still installs, and only LETHE_VAULT=pkcs11
// needs it. The types below are the subset of pkcs11js this adapter calls, declared here so the
// project type-checks whether or not the optional package is installed.
//
// One Cryptoki library is loaded and initialised once per process and path (C_Initialize may be called
// only once per process), shared by every user and finalised when the last one closes.

/** A PKCS#11 handle (slot, session or object), as pkcs11js represents it. */
export type Pkcs11Handle = Buffer;

export interface Pkcs11Attribute {
  readonly type: number;
  readonly value?: number | boolean | string | Buffer;
}

export interface Pkcs11Mechanism {
  readonly mechanism: number;
  readonly parameter?: { readonly type: number; readonly iv: Buffer; readonly aad?: Buffer; readonly ivBits: number; readonly tagBits: number };
}

/** The calls of pkcs11js's PKCS11 class this adapter makes. */
export interface Pkcs11Module {
  load(path: string): void;
  C_Initialize(options?: { flags?: number }): void;
  C_Finalize(): void;
  C_GetSlotList(tokenPresent?: boolean): Pkcs11Handle[];
  C_GetTokenInfo(slot: Pkcs11Handle): { label: string; flags: number };
  C_GetMechanismList(slot: Pkcs11Handle): number[];
  C_OpenSession(slot: Pkcs11Handle, flags: number): Pkcs11Handle;
  C_CloseSession(session: Pkcs11Handle): void;
  C_Login(session: Pkcs11Handle, userType: number, pin?: string): void;
  C_GenerateKeyAsync(session: Pkcs11Handle, mechanism: Pkcs11Mechanism, template: Pkcs11Attribute[]): Promise<Pkcs11Handle>;
  C_CreateObject(session: Pkcs11Handle, template: Pkcs11Attribute[]): Pkcs11Handle;
  C_DestroyObject(session: Pkcs11Handle, object: Pkcs11Handle): void;
  C_FindObjectsInit(session: Pkcs11Handle, template: Pkcs11Attribute[]): void;
  C_FindObjects(session: Pkcs11Handle, maxObjectCount: number): Pkcs11Handle[];
  C_FindObjectsFinal(session: Pkcs11Handle): void;
  C_GetAttributeValue(session: Pkcs11Handle, object: Pkcs11Handle, template: Pkcs11Attribute[]): { type: number; value: Buffer }[];
  C_SetAttributeValue(session: Pkcs11Handle, object: Pkcs11Handle, template: Pkcs11Attribute[]): void;
  C_EncryptInit(session: Pkcs11Handle, mechanism: Pkcs11Mechanism, key: Pkcs11Handle): void;
  C_EncryptAsync(session: Pkcs11Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
  C_DecryptInit(session: Pkcs11Handle, mechanism: Pkcs11Mechanism, key: Pkcs11Handle): void;
  C_DecryptAsync(session: Pkcs11Handle, inData: Buffer, outData: Buffer): Promise<Buffer>;
}

/** The pkcs11js module: the PKCS11 class and the PKCS#11 constants (CKA_*, CKM_*, CKR_*, …) by name. */
export interface Pkcs11Binding {
  readonly PKCS11: new () => Pkcs11Module;
  readonly [constant: string]: unknown;
}

/** What to tell when the binding is missing. */
export const PKCS11_BINDING_INSTALL_HINT =
  'install the optional npm package pkcs11js (it builds a native addon: a C++ compiler, make and python3 are needed, e.g. apt-get install g++ make python3; then npm install)';

/** LETHE_VAULT=pkcs11 without the binding: refused at boot (exit 2), saying how to install it. */
export class Pkcs11BindingMissingError extends Error {
  readonly code = 'PKCS11_BINDING_MISSING';
  constructor(reason: string) {
    super(`LETHE_VAULT=pkcs11 needs the PKCS#11 binding, which cannot be loaded (${reason}): ${PKCS11_BINDING_INSTALL_HINT}, or set LETHE_VAULT=local`);
    this.name = 'Pkcs11BindingMissingError';
  }
}

const PACKAGE = 'pkcs11js';
let loading: Promise<Pkcs11Binding> | undefined;

/**
 * The pkcs11js module, imported on first use. Pkcs11BindingMissingError when it is not installed or its
 * native part was not built (install scripts not allowed, no compiler).
 */
export function loadPkcs11Binding(): Promise<Pkcs11Binding> {
  loading ??= (async () => {
    try {
      // A variable specifier: the package is optional, and only this path needs it.
      const imported = (await import(PACKAGE)) as { default?: Pkcs11Binding } & Pkcs11Binding;
      const binding = imported.default ?? imported;
      if (typeof binding.PKCS11 !== 'function') throw new Error('it has no PKCS11 class');
      return binding;
    } catch (error) {
      loading = undefined;
      const code = (error as NodeJS.ErrnoException).code;
      const reason = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? `the package ${PACKAGE} is not installed` : `${PACKAGE}: ${(error as Error).message.split('\n')[0]}`;
      throw new Pkcs11BindingMissingError(reason);
    }
  })();
  return loading;
}

/** A number constant of the binding (CKA_LABEL, CKR_PIN_INCORRECT, …); throws if the binding lacks it. */
export function constantOf(binding: Pkcs11Binding, name: string): number {
  const value = binding[name];
  if (typeof value !== 'number') throw new Error(`the PKCS#11 binding has no constant ${name}`);
  return value;
}

interface SharedLibrary {
  readonly module: Pkcs11Module;
  users: number;
  /** Per token label, a keyed digest of the PIN the application logged in with (login is per application). */
  readonly logins: Map<string, Buffer>;
}

const libraries = new Map<string, SharedLibrary>();

/**
 * The Cryptoki library at `path`, loaded and initialised (with OS locking, so calls from the binding's
 * worker threads are safe) on first use; release() with the same path when done.
 * The caller maps errors (a missing file, a library that is not PKCS#11) to its setting.
 */
export function acquireLibrary(binding: Pkcs11Binding, path: string): Pkcs11Module {
  const shared = libraries.get(path);
  if (shared) {
    shared.users += 1;
    return shared.module;
  }
  const module = new binding.PKCS11();
  module.load(path);
  try {
    module.C_Initialize({ flags: constantOf(binding, 'CKF_OS_LOCKING_OK') });
  } catch (error) {
    // Initialised by an earlier user in this process that did not finalise (e.g. another test file).
    if ((error as { code?: unknown }).code !== constantOf(binding, 'CKR_CRYPTOKI_ALREADY_INITIALIZED')) throw error;
  }
  libraries.set(path, { module, users: 1, logins: new Map() });
  return module;
}

/**
 * The PIN digests of the logins made through the library at `path` (by token label). PKCS#11 login
 * belongs to the whole application, so a second user of a token learns that it is logged in already,
 * and compares its PIN here instead of being let in with any PIN.
 */
export function loginsOf(path: string): Map<string, Buffer> {
  const shared = libraries.get(path);
  if (!shared) throw new Error(`the PKCS#11 library ${path} is not loaded`);
  return shared.logins;
}

/** Lets go of acquireLibrary's library; the last user finalises it. */
export function releaseLibrary(path: string): void {
  const shared = libraries.get(path);
  if (!shared) return;
  shared.users -= 1;
  if (shared.users > 0) return;
  libraries.delete(path);
  try {
    shared.module.C_Finalize();
  } catch {
    // Already finalised or the token is gone: nothing is left to release.
  }
}
