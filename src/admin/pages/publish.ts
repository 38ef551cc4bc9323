/**
 * Project → Publish & history (`/admin/{org}/{project}/publish`): what changed in the draft since the
 * newest version, Publish, and every version with author, time and diff, each one a rollback target.
 * A publish while declared secrets have no production value stops at a confirmation step (issue 11 #1).
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import type { ManifestDiff } from "../../projects/draft";
import { html, type Html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { getPublishedVersion, missingSecretsView, publishDraft, rollbackVersion, viewPublish } from "../../services/publish";
import { NotFoundError } from "../../errors";
import { describeMissing, MissingProductionSecretsError, type MissingSecret } from "../../projects/missing-secrets";
import type { ProjectAccess } from "../../services/access";
import { csrfField, emptyState, postButton, table, when } from "../ui";

const FLASH = { published: "Published. Production now serves the new version; connected hosts are told their tool list changed.", "rolled-back": "Production now serves the chosen version." };

function names(label: string, list: string[], cls: string): Html {
  return list.length ? html`<div><span class="badge ${cls}">${label}</span> ${list.join(", ")}</div>` : html``;
}

/** A diff in words: added, changed and removed tools and prompts. */
export function diffSummary(diff: ManifestDiff): Html {
  const parts = [
    names("tools added", diff.tools.added, "ok"),
    names("tools changed", diff.tools.changed, "warn"),
    names("tools removed", diff.tools.removed, "err"),
    names("prompts added", diff.prompts.added, "ok"),
    names("prompts changed", diff.prompts.changed, "warn"),
    names("prompts removed", diff.prompts.removed, "err"),
  ];
  return parts.some((p) => p.value) ? html`<div class="diff">${parts}</div>` : html`<span class="muted">no tool or prompt changes</span>`;
}

/** Names the declared secrets production has no value for, and who can set them. */
function missingWarning(missing: readonly MissingSecret[]): Html {
  return html`<div class="notice warn"><strong>Production values are missing:</strong> ${describeMissing(missing)}. Published calls of these tools will fail until an admin or owner sets them in the tool's settings; draft values are never copied to production.</div>`;
}

/** The confirmation step of a publish refused for missing production values: publish anyway, or go back. */
function confirmPage(access: ProjectAccess, missing: readonly MissingSecret[], note: string): Response {
  const { org, project } = access;
  const body = html`<h1>Publish without production secrets?</h1>${missingWarning(missing)}
<form method="post" action="${projectPath(org, project, "/publish")}">${csrfField(csrfOf(access))}<input type="hidden" name="note" value="${note}"><input type="hidden" name="confirm" value="yes">
<div class="actions"><button type="submit" class="danger">Publish anyway</button> <a class="button secondary" href="${projectPath(org, project, "/publish")}">← Back, set the values first</a></div></form>`;
  return adminPage({ title: "Confirm publish", user: access.user, role: access.role, org, project, projectTab: "publish", status: 409, body });
}

/** Publish, rollback and version routes. */
export function publishPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/publish", async ({ request, params }) => {
      const access = projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const view = await invoke(viewPublish, deps, access, {});
      const canPublish = roleAtLeast(access.role, "admin");
      const csrf = csrfOf(access);
      const missing = missingSecretsView(deps, access);
      const pendingCard = html`<div class="card"><h2>Changes since the last version</h2>
${
  view.pending === null
    ? html`<p class="muted">Unpublished changes are visible to developers and above.</p>`
    : view.changed ? diffSummary(view.pending) : html`<p class="muted">The draft matches the newest version. Nothing to publish.</p>`
}
${missing.length ? missingWarning(missing) : ""}
${
  canPublish
    ? html`<form method="post" action="${projectPath(org, project, "/publish")}" data-confirm="Publish the draft to production?">${csrfField(csrf)}
<label for="p-note">Note (optional)</label><input id="p-note" name="note" type="text" maxlength="500" placeholder="What changed, for the history">
<div class="actions"><button type="submit"${view.changed ? "" : html` class="secondary"`}>Publish to production</button></div></form>`
    : html`<p class="muted small">Only admins can publish or roll back.</p>`
}</div>`;
      const rows = view.versions.map(
        (v) => html`<tr><td><a href="${projectPath(org, project, `/publish/versions/${v.number}`)}"><strong>v${v.number}</strong></a>${v.live ? html` <span class="badge ok">live</span>` : ""}</td>
<td>${when(v.createdAt)}<div class="muted small">${v.authorEmail ?? "CLI or former member"}</div></td><td>${diffSummary(v.diff)}${v.note ? html`<div class="small">${v.note}</div>` : ""}</td>
<td>${canPublish && !v.live ? postButton(projectPath(org, project, "/rollback"), `Serve v${v.number}`, csrf, { secondary: true, fields: { number: String(v.number) }, confirm: `Make production serve version ${v.number}?` }) : ""}</td></tr>`,
      );
      const body = html`<h1>Publish &amp; history</h1>${pendingCard}<h2>Versions</h2>
${view.versions.length ? table(["Version", "Published", "Changes", ""], rows) : emptyState("Nothing published yet: the production URL answers with an error until the first publish.")}`;
      return adminPage({ title: "Publish & history", user: access.user, role: access.role, org, project, projectTab: "publish", flash: flashFrom(request, FLASH), body });
    })
    .get("/admin/:org/:project/publish/versions/:number", async ({ request, params }) => {
      const access = projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const number = Number.parseInt(params.number, 10);
      if (!(number >= 1)) throw new NotFoundError(`There is no version ${params.number} of this project.`);
      const v = await invoke(getPublishedVersion, deps, access, { number });
      const tools = v.snapshot.tools.map((t) => html`<tr><td><code>${t.name}</code></td><td>${t.kind}</td><td>${t.title ?? ""}<div class="muted small">${t.description}</div></td></tr>`);
      const body = html`<h1>Version ${v.number}${v.live ? html` <span class="badge ok">live</span>` : ""}</h1>
<div class="card"><dl class="facts"><dt>Published</dt><dd>${when(v.createdAt)}</dd><dt>By</dt><dd>${v.authorEmail ?? "CLI or former member"}</dd>
${v.note ? html`<dt>Note</dt><dd>${v.note}</dd>` : ""}<dt>Changes</dt><dd>${diffSummary(v.diff)}</dd></dl></div>
<h2>Tools in this version</h2>${tools.length ? table(["Name", "Kind", "Description"], tools) : emptyState("This version has no tools.")}
<details class="card"><summary>Full snapshot (JSON)</summary><pre>${JSON.stringify(v.snapshot, null, 2)}</pre></details>
<div class="actions"><a class="button secondary" href="${projectPath(org, project, "/publish")}">← All versions</a></div>`;
      return adminPage({ title: `Version ${v.number}`, user: access.user, role: access.role, org, project, projectTab: "publish", body });
    })
    .post("/admin/:org/:project/publish", async ({ request, params, body }) => {
      const access = projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      try {
        await invoke(publishDraft, deps, access, fields);
      } catch (err) {
        if (err instanceof MissingProductionSecretsError) return confirmPage(access, err.missing, fields.note ?? "");
        throw err;
      }
      return done(projectPath(access.org, access.project, "/publish"), "published");
    })
    .post("/admin/:org/:project/rollback", async ({ request, params, body }) => {
      const access = projectPageAccess(deps, request, params.org, params.project);
      await invoke(rollbackVersion, deps, access, postedForm(request, body, access));
      return done(projectPath(access.org, access.project, "/publish"), "rolled-back");
    });
}
