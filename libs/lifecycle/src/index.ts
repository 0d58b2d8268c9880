// @lethe/lifecycle: the tenant lifecycle wired from the domain, the adapters and the processors.
export { createLifecycle, type Lifecycle, type LifecycleDependencies } from './lifecycle.js';
export { TenantService, type OnboardInput, type TerminationInput, type DeletionRequestInput, type ShredAnswer } from './tenants/tenant.service.js';
export { TenantRepository } from './tenants/tenant-repository.js';
export { CalendarWorkingDays } from './tenants/working-days.adapter.js';
export { CalendarService, type CalendarPreviewOptions } from './calendars/calendar.service.js';
export { CalendarRepository } from './calendars/calendar-repository.js';
export { CertificateService } from './certificate/certificate.service.js';
export { CertificateIssuer, certificateIdOf } from './certificate/certificate-issuer.js';
export { PostgresCertificateStore, type StoredCertificate } from './certificate/certificate-store.js';
export { certificateMigrations } from './certificate/certificate.migrations.js';
export { snapshotMigrations } from './snapshots/snapshot.migrations.js';
export { PostgresSnapshotStore, type Snapshot, type SnapshotStore } from './snapshots/snapshot-store.js';
export { SNAPSHOT_EVERY } from './aggregate-repository.js';
export {
  buildCertificate,
  signCertificate,
  verifyCertificate,
  certificateSha256,
  certificateBytes,
  publicKeyId,
  CERTIFICATE_FORMAT,
  type CertificateIssuance,
  type DeletionCertificate,
  type SignedCertificate,
  type TrustedSigningKey,
  type VerificationResult,
} from './certificate/deletion-certificate.js';
export { canonicalJson } from './certificate/canonical-json.js';
export { causedEventId } from './event-ids.js';
export { SHRED_STEP, SHRED_DEADLINE } from './shred/shred-deadlines.js';
export { ConcurrentModificationError } from './concurrent-modification.js';
export { CRASH_POINTS, killAt, noCrash, type CrashHook, type CrashPoint } from './crash-points.js';
