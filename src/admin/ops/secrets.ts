/**
 * Tool secret values (DESIGN: Secrets): write-only. Developers set or clear a value for a secret name the
 * tool declares; pages and the API only ever learn which names have a value, never the value itself.
 */
import { z } from "zod";
import type { Deps } from "../../deps";
import { SecretNameSchema } from "../../projects/manifest";
import { NotFoundError } from "../../errors";
import { need, type ProjectAccess } from "../access";
import { parseInput } from "../context";
import { getToolOp } from "./tools";

/** A secret value (write-only). */
export const SecretValueSchema = z.object({ value: z.string().min(1, "a secret needs a value").max(10_000) });

function declared(deps: Deps, access: ProjectAccess, tool: string, name: string): void {
  parseInput(SecretNameSchema, name);
  if (!getToolOp(deps, access, tool).secrets.includes(name)) {
    throw new NotFoundError(`The tool "${tool}" does not declare a secret named ${name}; add the name to the tool first.`);
  }
}

/** Names of the tool's secrets that have a stored value. */
export function secretNamesSet(deps: Deps, access: ProjectAccess, tool: string): string[] {
  return deps.tools.secrets.listSecretNames(access.project.id, tool);
}

/** Saves a value for a secret the tool declares (developers). */
export function setSecretOp(deps: Deps, access: ProjectAccess, tool: string, name: string, input: unknown): void {
  need(access, "developer", "set tool secrets");
  declared(deps, access, tool, name);
  const { value } = parseInput(SecretValueSchema, input);
  deps.tools.secrets.setSecret(access.project.id, tool, name, value);
}

/** Removes a saved secret value (developers). */
export function deleteSecretOp(deps: Deps, access: ProjectAccess, tool: string, name: string): void {
  need(access, "developer", "remove tool secrets");
  if (!deps.tools.secrets.deleteSecret(access.project.id, tool, name)) throw new NotFoundError(`No value is saved for ${name}.`);
}

/** The form's `secret.NAME` fields that carry a value, for names the tool declares (empty = keep). */
export function secretsFromForm(fields: Record<string, string>, names: readonly string[]): Array<[string, string]> {
  return names.flatMap((n) => {
    const value = fields[`secret.${n}`];
    return value ? [[n, value] as [string, string]] : [];
  });
}
