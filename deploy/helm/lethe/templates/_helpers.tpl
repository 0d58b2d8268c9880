{{/* Names and labels shared by the chart's objects. */}}
{{- define "lethe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "lethe.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "lethe.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "lethe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* Selector labels of one component (api or worker): pass (dict "root" $ "component" "api"). */}}
{{- define "lethe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lethe.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "lethe.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "lethe.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "lethe.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret the engine's secrets come from: the user's, or the chart's own. */}}
{{- define "lethe.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-secrets" (include "lethe.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The engine's environment, the same for both Deployments but for LETHE_ROLES and PORT: pass
(dict "root" $ "roles" "api" "port" .Values.api.port). Every pod listens on PORT, whatever its roles.
Secrets come from the Secret by key, never inline.
*/}}
{{- define "lethe.env" -}}
{{- $root := .root -}}
{{- $secret := include "lethe.secretName" $root -}}
- name: LETHE_ROLES
  value: {{ .roles | quote }}
- name: LETHE_INSTANCE_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: LETHE_HOST
  value: "0.0.0.0"
- name: PORT
  value: {{ .port | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: database-url
- name: LETHE_DIRECT_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: direct-database-url
      optional: true
{{- if $root.Values.database.caSecret.name }}
- name: LETHE_DATABASE_CA_FILE
  value: /etc/lethe/database-ca/{{ $root.Values.database.caSecret.key }}
{{- end }}
- name: LETHE_MASTER_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: master-key
- name: LETHE_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: signing-key
- name: LETHE_TOKENS
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: tokens
{{- if $root.Values.tls.secretName }}
- name: LETHE_TLS_CERT_FILE
  value: /etc/lethe/tls/tls.crt
- name: LETHE_TLS_KEY_FILE
  value: /etc/lethe/tls/tls.key
{{- end }}
- name: LETHE_LOG_LEVEL
  value: {{ $root.Values.settings.logLevel | quote }}
{{- if $root.Values.settings.trustProxy }}
- name: LETHE_TRUST_PROXY
  value: {{ $root.Values.settings.trustProxy | quote }}
{{- end }}
- name: LETHE_READY_MAX_LAG_MS
  value: {{ $root.Values.settings.readyMaxLagMs | quote }}
- name: LETHE_DEADLINE_POLL_MS
  value: {{ $root.Values.settings.deadlinePollMs | quote }}
- name: LETHE_DEADLINE_CONCURRENCY
  value: {{ $root.Values.settings.deadlineConcurrency | quote }}
- name: LETHE_DEADLINE_LEASE_MS
  value: {{ $root.Values.settings.deadlineLeaseMs | quote }}
- name: LETHE_KEY_DETECTION_MS
  value: {{ $root.Values.settings.keyDetectionMs | quote }}
{{- end }}

{{/* Volumes and mounts: /tmp (the root file system is read-only), the TLS and database CA Secrets. */}}
{{- define "lethe.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.tls.secretName }}
- name: tls
  secret:
    secretName: {{ .Values.tls.secretName }}
    defaultMode: 0400
{{- end }}
{{- if .Values.database.caSecret.name }}
- name: database-ca
  secret:
    secretName: {{ .Values.database.caSecret.name }}
{{- end }}
{{- end }}

{{- define "lethe.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.tls.secretName }}
- name: tls
  mountPath: /etc/lethe/tls
  readOnly: true
{{- end }}
{{- if .Values.database.caSecret.name }}
- name: database-ca
  mountPath: /etc/lethe/database-ca
  readOnly: true
{{- end }}
{{- end }}
