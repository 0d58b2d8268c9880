// The signed deletion certificate of a verified shred, as issued (404 until then): what it attests,
// the probe of every database, the key versions destroyed and assets purged, and the document itself.
import { html } from './preact.js';
import { get, seg } from './api.js';
import { Loader } from './components.js';
import { duration, utc } from './time.js';

export function Certificate({ tenantId, reloadKey }) {
  return html`<${Loader} what="the certificate" reloadKey=${reloadKey}
    load=${() => get(`/v1/tenants/${seg(tenantId)}/deletion-certificate`, { notFound: null })}
    render=${(doc) => (doc ? html`<${CertificateView} doc=${doc} />` : html`<p class="muted">No certificate: it is issued when the shred is verified.</p>`)} />`;
}

function CertificateView({ doc }) {
  const c = doc.certificate;
  const margin = Date.parse(c.deadline) - Date.parse(c.verifiedAt);
  return html`<div class="certificate">
    <p class=${c.verifiedWithinDeadline ? 'verdict ok' : 'verdict broken'} data-within-deadline=${String(c.verifiedWithinDeadline)}>
      ${c.verifiedWithinDeadline
        ? `Verified within the deadline, ${duration(margin)} before it.`
        : `Verified after the deadline, ${duration(margin)} late.`}
    </p>
    <dl class="facts">
      <dt>Certificate</dt><dd><code>${c.certificateId}</code> (${c.format})</dd>
      <dt>Issued</dt><dd>${utc(c.issuedAt, { seconds: true })}</dd>
      <dt>Shred</dt><dd><code>${c.shredId}</code></dd>
      <dt>Trigger effective</dt><dd>${utc(c.effectiveAt)}</dd>
      <dt>Deadline</dt><dd>${utc(c.deadline)}</dd>
      <dt>Executed</dt><dd>${utc(c.executedAt, { seconds: true })}</dd>
      <dt>Keys destroyed</dt><dd>${utc(c.keysDestroyedAt, { seconds: true })}</dd>
      <dt>Verified</dt><dd>${utc(c.verifiedAt, { seconds: true })}</dd>
      <dt>Signature</dt><dd>${doc.signature.algorithm}, key <code>${doc.signature.keyId}</code> (check it with <code>lethe certificate verify</code> and GET /v1/certificate-keys)</dd>
    </dl>
    <div class="cert-lists">
      <div>
        <h3>Key versions destroyed</h3>
        <ul>${(c.destroyedKeyVersions ?? []).map((k) => html`<li><code>${k.keyVersionId}</code> unusable ${utc(k.unusableAt)}</li>`)}</ul>
      </div>
      <div>
        <h3>Assets purged</h3>
        ${(c.purgedAssets ?? []).length === 0 ? html`<p class="muted">none</p>` : html`<ul>${c.purgedAssets.map((a) => html`<li>${a.kind} <code>${a.id}</code> ${utc(a.purgedAt)}</li>`)}</ul>`}
      </div>
      <div>
        <h3>Probes</h3>
        <ul>${(c.probes ?? []).map((p) => html`<li>#${p.attempt} ${p.outcome} ${utc(p.at)}: ${p.results.map((r) => `${r.databaseId} ${r.outcome}`).join(', ')}</li>`)}</ul>
      </div>
    </div>
    <details>
      <summary>The signed document (JSON)</summary>
      <pre>${JSON.stringify(doc, null, 2)}</pre>
    </details>
  </div>`;
}
