/** The operations on a project's content: tools, prompts, instructions, manifest, secrets, publish. */
import type { AnyOperation } from "./operation";
import { duplicateTool } from "./tool-duplicate";

export const CONTENT_OPERATIONS = [duplicateTool] as unknown as AnyOperation[];
