/**
 * Project → Publish & history (`/admin/{org}/{project}/publish`): what changed in the draft since the
 * version production serves (after a rollback, not the newest), Publish (disabled when nothing changed:
 * issue 16 #5), and every version with author, time and diff, each one a rollback target.
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

/** The flash after a publish or rollback, naming the version the redirect carries (`?v=N`). */
function flash(request: Request) {
  const v = new URL(request.url).searchParams.get("v");
  const version = v && /^[1-9][0-9]{0,8}$/.test(v) ? `v${v}` : "the chosen version";
  return flashFrom(request, {
    published: `Published ${version}. Production now serves it; connected hosts are told their tool list changed.`,
    "rolled-back": `Rolled back: production now serves ${version}.`,
  });
}

function names(label: string, list: string[], cls: string, parts?: Record<string, string[]>): Html {
  const named = list.map((n) => (parts?.[n]?.length ? `${n} (${parts[n]!.join(", ")})` : n));
  return list.length ? html`<div><span class="badge ${cls}">${label}</span> ${named.join(", ")}</div>` : html``;
}

/**
 * A diff in words: added, changed (with the parts that changed: issue 16 #5) and removed tools and
 * prompts, and whether the instructions changed. Versions stored before parts were recorded list names only.
 */
export function diffSummary(diff: ManifestDiff): Html {
  const parts = [
    names("tools added", diff.tools.added, "ok"),
    names("tools changed", diff.tools.changed, "warn", diff.details?.tools),
    names("tools removed", diff.tools.removed, "err"),
    names("prompts added", diff.prompts.added, "ok"),
    names("prompts changed", diff.prompts.changed, "warn", diff.details?.prompts),
    names("prompts removed", diff.prompts.removed, "err"),
    diff.instructionsChanged ? html`<div><span class="badge warn">instructions changed</span></div>` : html``,
  ];
  return parts.some((p) => p.value) ? html`<div class="diff">${parts}</div>` : html`<span class="muted">no tool, prompt or instructions changes</span>`;
}

/** Where production stands against the draft, in one sentence (issue 16 #5). */
function standing(view: { changed: boolean | null; serving: number | null; newest: number | null }): Html {
  if (view.serving === null) return html`<p class="standing">Nothing is published yet: the first publish makes v1.</p>`;
  const newer = view.newest !== null && view.newest !== view.serving ? html` (rolled back; v${view.newest} is the newest version)` : "";
  if (view.changed === null) return html`<p class="standing">Production serves v${view.serving}${newer}.</p>`;
  return view.changed
    ? html`<p class="standing">Production serves v${view.serving}${newer}; the draft is ahead.</p>`
    : html`<p class="standing">Production serves v${view.serving}${newer}; the draft matches it. Nothing to publish.</p>`;
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
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const view = await invoke(viewPublish, deps, access, {});
      const canPublish = roleAtLeast(access.role, "admin");
      const csrf = csrfOf(access);
      const missing = await missingSecretsView(deps, access);
      const pendingCard = html`<div class="card"><h2>Changes since the version production serves</h2>${standing(view)}
${view.pending === null ? html`<p class="muted">Unpublished changes are visible to developers and above.</p>` : view.changed ? diffSummary(view.pending) : ""}
${missing.length ? missingWarning(missing) : ""}
${
  canPublish
    ? html`<form method="post" action="${projectPath(org, project, "/publish")}" data-confirm="Publish the draft to production?">${csrfField(csrf)}
<fieldset${view.changed ? "" : html` disabled`}><label for="p-note">Note (optional)</label><input id="p-note" name="note" type="text" maxlength="500" placeholder="What changed, for the history">
<div class="actions"><button type="submit">Publish to production</button>${view.changed ? "" : html` <span class="muted small">Change the draft first: a publish needs something new.</span>`}</div></fieldset></form>`
    : html`<p class="muted small">Only admins can publish or roll back.</p>`
}</div>`;
      const rows = view.versions.map(
        (v) => html`<tr><td><a href="${projectPath(org, project, `/publish/versions/${v.number}`)}"><strong>v${v.number}</strong></a>${v.live ? html` <span class="badge ok">live</span>` : ""}</td>
<td>${when(v.createdAt)}<div class="muted small">${v.authorEmail ?? "CLI or former member"}</div></td><td>${diffSummary(v.diff)}${v.note ? html`<div class="small">${v.note}</div>` : ""}</td>
<td>${canPublish && !v.live ? postButton(projectPath(org, project, "/rollback"), `Serve v${v.number}`, csrf, { secondary: true, fields: { number: String(v.number) }, confirm: `Make production serve version ${v.number}?` }) : ""}</td></tr>`,
      );
      const body = html`<h1>Publish &amp; history</h1>${pendingCard}<h2>Versions</h2>
${view.versions.length ? table(["Version", "Published", "Changes", ""], rows) : emptyState("Nothing published yet: the production URL answers with an error until the first publish.")}`;
      return adminPage({ title: "Publish & history", user: access.user, role: access.role, org, project, projectTab: "publish", flash: flash(request), body });
    })
    .get("/admin/:org/:project/publish/versions/:number", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const number = Number.parseInt(params.number, 10);
      if (!(number >= 1)) throw new NotFoundError(`There is no version ${params.number} of this project.`);
      const v = await invoke(getPublishedVersion, deps, access, { number });
      const tools = v.snapshot.tools.map((t) => html`<tr><td><code>${t.name}</code></td><td>${t.kind}</td><td>${t.title ?? ""}<div class="muted small">${t.description}</div></td></tr>`);
      const body = html`<h1>Version ${v.number}${v.live ? html` <span class="badge ok">live</span>` : ""}</h1>
<div class="card"><dl class="facts"><dt>Published</dt><dd>${when(v.createdAt)}</dd><dt>By</dt><dd>${v.authorEmail ?? "CLI or former member"}</dd>
${v.note ? html`<dt>Note</dt><dd>${v.note}</dd>` : ""}<dt>Changes</dt><dd>${diffSummary(v.diff)}</dd></dl></div>
<h2>Tools in this version</h2>${tools.length ? table(["Name", "Kind", "Description"], tools) : emptyState("This version has no tools.")}
<h2>Instructions in this version</h2>${v.snapshot.instructions ? html`<div class="card"><pre>${v.snapshot.instructions}</pre></div>` : emptyState("This version has no instructions.")}
<details class="card"><summary>Full snapshot (JSON)</summary><pre>${JSON.stringify(v.snapshot, null, 2)}</pre></details>
<div class="actions"><a class="button secondary" href="${projectPath(org, project, "/publish")}">← All versions</a></div>`;
      return adminPage({ title: `Version ${v.number}`, user: access.user, role: access.role, org, project, projectTab: "publish", body });
    })
    .post("/admin/:org/:project/publish", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const fields = postedForm(request, body, access);
      let number: number;
      try {
        ({ number } = await invoke(publishDraft, deps, access, fields));
      } catch (err) {
        if (err instanceof MissingProductionSecretsError) return confirmPage(access, err.missing, fields.note ?? "");
        throw err;
      }
      return done(projectPath(access.org, access.project, `/publish?v=${number}`), "published");
    })
    .post("/admin/:org/:project/rollback", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { number } = await invoke(rollbackVersion, deps, access, postedForm(request, body, access));
      return done(projectPath(access.org, access.project, `/publish?v=${number}`), "rolled-back");
    });
}
