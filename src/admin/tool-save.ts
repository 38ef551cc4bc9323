/**
 * Saving a tool from the editor form: the definition goes to the draft service, then any secret values
 * typed into the form's write-only fields go to the secret store (never back to a page or a log), each
 * to its own channel (issue 11 #1).
 */
import type { Deps } from "../deps";
import { need, type ProjectAccess } from "../services/access";
import { toolFromForm } from "./tool-form-input";
import { checkFormSecrets, secretsFromForm, setSecretOp } from "../services/secrets";
import { createToolOp, updateToolOp } from "../services/tools";

/** The editor shows which secret names have a value on each channel. */
export { secretStatusOp } from "../services/secrets";

/** Creates (`existing` null) or updates a draft tool from form fields; returns the saved name. */
export function saveToolFromForm(deps: Deps, access: ProjectAccess, existing: string | null, fields: Record<string, string>): string {
  need(access, "developer", "edit the draft");
  const input = toolFromForm(fields);
  // A developer who typed a production value is refused before the definition is saved, so the save
  // is all or nothing (DESIGN: production values are set by admins and owners only).
  checkFormSecrets(access, secretsFromForm(fields, input.secrets as string[]));
  const saved = existing ? updateToolOp(deps, access, existing, input) : createToolOp(deps, access, input);
  for (const s of secretsFromForm(fields, saved.secrets)) setSecretOp(deps, access, saved.name, s.name, { value: s.value, channel: s.channel });
  return saved.name;
}
