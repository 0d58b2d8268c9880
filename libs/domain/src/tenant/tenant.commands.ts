import type { ProbeOutcome, ShredStep, ShredTrigger, TenantProfile } from './tenant.events.js';

export interface OnboardTenant {
  readonly type: 'OnboardTenant';
  readonly data: TenantProfile & {
    /** Created in the vault (idempotently) before the decision. */
    readonly key: { readonly keyId: string; readonly keyVersionId: string };
  };
}

export interface ScheduleShred {
  readonly type: 'ScheduleShred';
  readonly data: { readonly trigger: ShredTrigger; readonly effectiveAt: string; readonly receivedAt: string };
}

export interface CancelShred {
  readonly type: 'CancelShred';
  readonly data: { readonly reason: string };
}

export interface StartShredExecution {
  readonly type: 'StartShredExecution';
  readonly data: { readonly shredId: string };
}

export interface RecordKeyDestroyed {
  readonly type: 'RecordKeyDestroyed';
  readonly data: {
    readonly shredId: string;
    readonly keyId: string;
    readonly versions: readonly { readonly keyVersionId: string; readonly unusableAt: string; readonly purgedAt: string | null }[];
  };
}

export interface RecordAssetsPurged {
  readonly type: 'RecordAssetsPurged';
  readonly data: { readonly shredId: string; readonly assets: readonly { readonly kind: string; readonly id: string; readonly purgedAt: string }[] };
}

export interface RecordShredStepFailure {
  readonly type: 'RecordShredStepFailure';
  readonly data: { readonly shredId: string; readonly step: ShredStep; readonly error: string };
}

export interface RecordProbe {
  readonly type: 'RecordProbe';
  readonly data: {
    readonly shredId: string;
    readonly results: readonly { readonly databaseId: string; readonly outcome: ProbeOutcome; readonly detail: string }[];
  };
}

export interface CheckShredDeadline {
  readonly type: 'CheckShredDeadline';
  readonly data: { readonly shredId: string };
}

export interface RecordCertificateIssued {
  readonly type: 'RecordCertificateIssued';
  readonly data: { readonly shredId: string; readonly certificateId: string; readonly sha256: string; readonly keyId: string; readonly issuedAt: string };
}

export type TenantCommand =
  | OnboardTenant
  | ScheduleShred
  | CancelShred
  | StartShredExecution
  | RecordKeyDestroyed
  | RecordAssetsPurged
  | RecordShredStepFailure
  | RecordProbe
  | CheckShredDeadline
  | RecordCertificateIssued;
