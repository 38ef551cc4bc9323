/**
 * Saving a tool from the editor form: the definition goes to the draft (`tools.create` / `tools.update`),
 * then any secret values typed into the form's write-only fields go to `secrets.set` (never back to a
 * page or a log), each to its own channel (issue 11 #1).
 */
import type { Deps } from "../deps";
import { need, type ProjectAccess } from "../services/access";
import { invoke } from "../services/operation";
import { checkFormSecrets, secretsFromForm, setSecret } from "../services/secrets";
import { createTool, updateTool } from "../services/tools";
import { toolFromForm } from "./tool-form-input";

/** Creates (`existing` null) or updates a draft tool from form fields; returns the saved name. */
export async function saveToolFromForm(deps: Deps, access: ProjectAccess, existing: string | null, fields: Record<string, string>): Promise<string> {
  // The rule of the save itself, checked before the form is read so a viewer learns nothing from its errors.
  need(access, createTool.permission.role, createTool.what, createTool.permission.scopes);
  const input = toolFromForm(fields);
  // A developer who typed a production value is refused before the definition is saved, so the save
  // is all or nothing (docs/architecture.md: production values are set by admins and owners only).
  checkFormSecrets(access, secretsFromForm(fields, input.secrets as string[]));
  const saved = existing
    ? await invoke(updateTool, deps, access, { name: existing, changes: input })
    : await invoke(createTool, deps, access, { tool: input });
  for (const s of secretsFromForm(fields, saved.secrets)) await invoke(setSecret, deps, access, { tool: saved.name, name: s.name, value: s.value, channel: s.channel });
  return saved.name;
}
