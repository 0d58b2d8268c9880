// How the local vault seals a key version's material: under an HKDF sub-key of the master key, with
// the version id as authenticated context. Shared by the vault, the boot check and the rotation.

/** HKDF purpose of the sub-key that seals key-version material. Changing it orphans every version. */
export const MATERIAL_PURPOSE = 'lethe/vault/local/key-material/v1';
/** Authenticated context of a version's sealed material. */
export const materialContext = (versionId: string) => `lethe/vault/local/material:${versionId}`;
