// How the Azure Blob asset store reports a failure of Blob Storage: its own error, naming the operation,
// the container and the blob (ids only), the HTTP status and Azure's error code. The SDK's RestError is
// never passed on: it carries the request (URL, headers with the SharedKey signature or a SAS), which a
// logger serialising the error would print.
import { DataPlaneError } from '../errors.js';

export class BlobStoreError extends DataPlaneError {
  readonly code = 'BLOB_STORE_FAILED';
  constructor(
    readonly operation: string,
    readonly container: string,
    readonly blobName: string | null,
    /** The HTTP status Blob Storage answered, when it answered (isKeyVaultUnavailable reads 5xx and 429 as an outage). */
    readonly statusCode: number | undefined,
    /** Azure's error code (e.g. ContainerNotFound, AuthorizationFailure) or the transport's (ECONNREFUSED). */
    readonly azureCode: string | undefined,
  ) {
    const what = blobName === null ? `container ${container}` : `blob ${blobName} in container ${container}`;
    const why = [statusCode === undefined ? undefined : `HTTP ${statusCode}`, azureCode].filter(Boolean).join(' ');
    super(`Azure Blob Storage: ${operation} of ${what} failed${why ? ` (${why})` : ''}`);
    this.name = 'BlobStoreError';
  }
}

const SAFE_CODE = /^[A-Za-z0-9_.-]{1,80}$/;

/** The status and code of what the SDK threw (RestError or a transport error), never its message. */
export function azureFailure(error: unknown): { statusCode: number | undefined; azureCode: string | undefined } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; code?: unknown; details?: { errorCode?: unknown } };
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const raw = typeof e.details?.errorCode === 'string' ? e.details.errorCode : e.code;
  return { statusCode, azureCode: typeof raw === 'string' && SAFE_CODE.test(raw) ? raw : undefined };
}

/** A BlobStoreError for what the SDK threw; a BlobStoreError passes through. */
export function blobStoreError(operation: string, container: string, blobName: string | null, error: unknown): BlobStoreError {
  if (error instanceof BlobStoreError) return error;
  const { statusCode, azureCode } = azureFailure(error);
  return new BlobStoreError(operation, container, blobName, statusCode, azureCode);
}
