/** The operations on a project's content: tools, prompts, instructions, manifest, secrets, publish, projects. */
import type { AnyOperation } from "./operation";
import { getInstructions, setInstructions } from "./instructions";
import { exportManifest, importManifest } from "./manifest";
import { createProjectOperation, setVisibilityOperation, updateProjectSettings } from "./projects";
import { listPrompts, removePrompt, savePrompt } from "./prompts";
import { getPublishedVersion, publishDraft, rollbackVersion, viewPublish } from "./publish";
import { deleteSecret, secretStatus, setSecret } from "./secrets";
import { duplicateTool } from "./tool-duplicate";
import { testRunTool } from "./tool-test-run";
import { createTool, deleteTool, getTool, listTools, updateTool } from "./tools";

export const CONTENT_OPERATIONS = [
  listTools, getTool, createTool, updateTool, deleteTool, duplicateTool, testRunTool,
  listPrompts, savePrompt, removePrompt,
  getInstructions, setInstructions,
  exportManifest, importManifest,
  secretStatus, setSecret, deleteSecret,
  viewPublish, publishDraft, rollbackVersion, getPublishedVersion,
  createProjectOperation, setVisibilityOperation, updateProjectSettings,
] as unknown as AnyOperation[];
