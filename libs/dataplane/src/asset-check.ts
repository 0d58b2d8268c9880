// checkAsset of every asset store: an asset is readable when the store reads and decrypts it; the
// typed errors of a failed read say why not, whichever store raised them.
import { DecryptionFailedError } from '@lethe/vault';
import type { AssetCheckResult, AssetKind } from './asset-store.js';
import { AssetPurgedError, UnknownAssetError } from './errors.js';
import { describeError } from './local/describe-error.js';

/**
 * Reads the asset with `read` and classifies the outcome. `otherwise` may name a store-specific cause
 * of a failure (e.g. a missing blob); when it returns undefined the failure is inconclusive.
 */
export async function checkAssetByReading(
  asset: { readonly tenantId: string; readonly kind: AssetKind; readonly assetId: string },
  read: () => Promise<unknown>,
  otherwise: (error: unknown, where: string) => AssetCheckResult | undefined = () => undefined,
): Promise<AssetCheckResult> {
  const where = `${asset.kind} asset ${asset.assetId} of tenant ${asset.tenantId}`;
  try {
    await read();
    return { readable: true };
  } catch (error) {
    if (error instanceof AssetPurgedError) return { readable: false, reason: 'asset-purged', detail: `${where} was purged` };
    if (error instanceof UnknownAssetError) return { readable: false, reason: 'unknown-asset', detail: `${where} was never added` };
    if (error instanceof DecryptionFailedError) return { readable: false, reason: 'corrupt', detail: `${where} did not decrypt with the platform key` };
    return otherwise(error, where) ?? { readable: false, reason: 'inconclusive', detail: `${where} could not be read: ${describeError(error)}` };
  }
}
