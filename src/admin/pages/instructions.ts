/**
 * Project → Instructions (`/admin/{org}/{project}/instructions`): the text hosts receive in `initialize`.
 * Versioned like tools (issue 16 #4): an edit changes the draft at once and reaches production with the next
 * publish; developers and above may edit.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { roleAtLeast } from "../../auth/scopes";
import { html } from "../../web/html";
import { adminPage, projectPath } from "../layout";
import { csrfOf, done, flashFrom, postedForm, projectPageAccess } from "../context";
import { invoke } from "../../services/operation";
import { getInstructions, setInstructions } from "../../services/instructions";
import { csrfField } from "../ui";

const FLASH = { saved: "Saved to the draft. Production gets these instructions when an admin publishes." };

/** Instructions editor routes. */
export function instructionPages(deps: Deps) {
  return new Elysia()
    .get("/admin/:org/:project/instructions", async ({ request, params }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      const { org, project } = access;
      const instructions = await invoke(getInstructions, deps, access, {});
      const editable = roleAtLeast(access.role, "developer");
      const body = html`<h1>Instructions</h1>
<p class="muted">Tell the model what this server is for and how to use its tools together. Hosts receive this text when they connect.
A save changes the draft at once; production gets it with the next <a href="${projectPath(org, project, "/publish")}">publish</a>.</p>
<form method="post" action="${projectPath(org, project, "/instructions")}" class="card">${csrfField(csrfOf(access))}
<fieldset${editable ? "" : html` disabled`}><label for="i-text">Instructions</label>
<textarea id="i-text" name="instructions" rows="14" maxlength="100000">${instructions}</textarea>
${editable ? html`<div class="actions"><button type="submit">Save instructions</button></div>` : html`<p class="muted small">Developers and above can edit the instructions.</p>`}</fieldset></form>`;
      return adminPage({ title: "Instructions", user: access.user, role: access.role, org, project, projectTab: "instructions", flash: flashFrom(request, FLASH), body });
    })
    .post("/admin/:org/:project/instructions", async ({ request, params, body }) => {
      const access = await projectPageAccess(deps, request, params.org, params.project);
      await invoke(setInstructions, deps, access, postedForm(request, body, access));
      return done(projectPath(access.org, access.project, "/instructions"), "saved");
    });
}
