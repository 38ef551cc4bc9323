/**
 * Every service operation (docs/architecture.md: Service layer). The declaration test walks this list:
 * each has an input schema, a permission rule and an audit event (or says it is read-only).
 */
import type { AnyOperation } from "./operation";
import { duplicateTool } from "./tool-duplicate";

export const OPERATIONS: AnyOperation[] = [duplicateTool as unknown as AnyOperation];
