/**
 * Saving a tool from the editor form: the definition goes to the draft service, then any secret values
 * typed into the form's write-only fields go to the secret store (never back to a page or a log).
 */
import type { Deps } from "../../deps";
import { need, type ProjectAccess } from "../access";
import { toolFromForm } from "../tool-form-input";
import { secretsFromForm, setSecretOp } from "./secrets";
import { createToolOp, updateToolOp } from "./tools";

/** The editor shows which secret names have a value. */
export { secretNamesSet } from "./secrets";

/** Creates (`existing` null) or updates a draft tool from form fields; returns the saved name. */
export function saveToolFromForm(deps: Deps, access: ProjectAccess, existing: string | null, fields: Record<string, string>): string {
  need(access, "developer", "edit the draft");
  const input = toolFromForm(fields);
  const saved = existing ? updateToolOp(deps, access, existing, input) : createToolOp(deps, access, input);
  for (const [name, value] of secretsFromForm(fields, saved.secrets)) setSecretOp(deps, access, saved.name, name, { value });
  return saved.name;
}
