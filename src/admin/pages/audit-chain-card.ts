/**
 * The audit pages' "Tamper evidence" card (issue 18; docs/architecture.md: Audit chain): the chain's head — its
 * position and hash, for an admin to note down — a button that recomputes the chain and names the first broken
 * row, and (admins) a signed statement of the head to download and keep where the database's owners cannot
 * edit it. Used by the project's and the org's audit pages.
 */
import type { ChainReport } from "../../audit/verify";
import type { ChainStatus } from "../../services/audit-chain";
import { html, type Html } from "../../web/html";
import { csrfField } from "../../auth/views";

/** The one-time kind a verification result travels under from its POST to the page (src/admin/one-time.ts). */
export const CHAIN_VERIFY = "audit-chain-verify";

function verdict(r: ChainReport): Html {
  if (!r.ok) return html`<p class="chain-verdict" role="alert"><span class="badge err">broken</span> ${r.problem!.message}. Check the database's backups and who had access to it.</p>`;
  const extra = [r.checkpoint ? `from the retention checkpoint at position ${r.checkpoint.seq}` : "", r.unchained ? `${r.unchained} older row(s) predate chaining` : "", r.erasedPayloads ? `${r.erasedPayloads} payload(s) erased` : ""].filter(Boolean);
  return html`<p class="chain-verdict"><span class="badge ok">intact</span> ${r.rows} row(s) recomputed, none edited, deleted or inserted${extra.length ? html` <span class="muted small">(${extra.join("; ")})</span>` : ""}.</p>`;
}

export function chainCard(o: { status: ChainStatus; verifyAction: string; statementHref: string | null; csrf: string; result: ChainReport | null }): Html {
  const { head, checkpoint } = o.status;
  const headLine = head.seq === 0
    ? html`<p class="muted">No rows yet: the chain starts with the first one.</p>`
    : html`<p>Head: position <strong>${head.seq}</strong>, hash <code class="chain-hash">${head.hash}</code></p>`;
  const statement = o.statementHref
    ? html`<a class="button secondary" href="${o.statementHref}" download>Download signed statement</a>`
    : "";
  return html`<div class="card" id="chain"><h2>Tamper evidence</h2>
<p class="muted small">Every row is chained to the one before it by a hash. Note the head down, or download a signed statement of it and keep it where the database's owners cannot edit it: <code>portico audit verify --statement FILE</code> later proves nothing before it changed.</p>
${headLine}${checkpoint ? html`<p class="muted small">Retention pruned the rows up to position ${checkpoint.seq}; the chain is verified from there.</p>` : ""}
${o.result ? verdict(o.result) : ""}
<form method="post" action="${o.verifyAction}" class="actions">${csrfField(o.csrf)}<button type="submit" class="secondary">Verify the chain</button>${statement}</form></div>`;
}

/** A signed head as a file to keep (`portico audit verify --statement FILE` reads it). */
export function statementDownload(signed: { statement: { seq: number } }, name: string): Response {
  return new Response(JSON.stringify(signed, null, 2) + "\n", {
    headers: { "content-type": "application/json; charset=utf-8", "content-disposition": `attachment; filename="audit-head-${name}-${signed.statement.seq}.json"`, "cache-control": "no-store" },
  });
}
