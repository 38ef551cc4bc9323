/**
 * Management tools that build the project: draft tools, instructions, publish and rollback. Each is a
 * content operation (docs/architecture.md: Service layer): its input schema, its permission rule and its
 * audit event are the operation's; `scope` only says which credentials see the tool listed, as a page decides what to show.
 */
import { getInstructions, setInstructions } from "../../services/instructions";
import { publishDraft, publishedJson, rollbackVersion, viewPublish } from "../../services/publish";
import { duplicateTool } from "../../services/tool-duplicate";
import { createTool, deleteTool, getTool, listTools, updateTool } from "../../services/tools";
import { fromOperation, type ManagementToolSpec } from "./spec";

/** Draft work: listed for credentials that may write the project (where a production grant has `project:write`, it reaches the draft, see access.ts). */
const DRAFT = { scope: "project:write" } as const;
/** Release work: listed only with `publish` (admins). */
const RELEASE = { scope: "publish" } as const;

export const CONTENT_TOOLS: ManagementToolSpec[] = [
  fromOperation(listTools, {
    name: "portico_list_tools", ...DRAFT, readOnly: true,
    result: (view) => ({ tools: view.tools.map((t) => ({ name: t.name, kind: t.kind, title: t.title ?? null, description: t.description })) }),
  }),
  fromOperation(getTool, { name: "portico_get_tool", ...DRAFT, readOnly: true, result: (tool) => ({ tool }) }),
  fromOperation(createTool, { name: "portico_create_tool", ...DRAFT, readOnly: false, result: (tool) => ({ tool }) }),
  fromOperation(updateTool, { name: "portico_update_tool", ...DRAFT, readOnly: false, result: (tool) => ({ tool }) }),
  fromOperation(duplicateTool, { name: "portico_duplicate_tool", ...DRAFT, readOnly: false, result: (tool) => ({ tool }) }),
  fromOperation(deleteTool, { name: "portico_delete_tool", ...DRAFT, readOnly: false, result: (out) => out }),
  fromOperation(getInstructions, { name: "portico_get_instructions", ...DRAFT, readOnly: true, result: (instructions) => ({ instructions }) }),
  fromOperation(setInstructions, { name: "portico_set_instructions", ...DRAFT, readOnly: false, result: () => ({ updated: true }) }),
  // Same rule as every other face (issue 11 #1): a refusal for missing production values is an isError result naming them.
  fromOperation(publishDraft, { name: "portico_publish", ...RELEASE, readOnly: false, result: publishedJson }),
  fromOperation(rollbackVersion, { name: "portico_rollback", ...RELEASE, readOnly: false, result: (out) => out }),
  fromOperation(viewPublish, {
    name: "portico_list_versions", ...RELEASE, readOnly: true,
    result: (view) => ({ versions: view.versions.map(({ authorEmail: _email, ...v }) => v) }),
  }),
];
