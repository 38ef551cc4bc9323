/**
 * /assets/editor.js: the tool form's code editor (editor.ts), bundled at build time (editor-source.ts).
 * Imported on the first request for it only, so a server start and every other page pay nothing.
 */
import { editorSource } from "./editor-source" with { type: "macro" };

export const EDITOR_JS: string = editorSource();
