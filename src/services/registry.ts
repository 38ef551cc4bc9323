/**
 * Every service operation (docs/architecture.md: Service layer). The declaration test walks this list:
 * each has an input schema, a permission rule and an audit event (or says it is read-only).
 */
import { CONTENT_OPERATIONS } from "./content-operations";
import type { AnyOperation } from "./operation";
import { ORG_OPERATIONS } from "./org-operations";

export const OPERATIONS: AnyOperation[] = [...CONTENT_OPERATIONS, ...ORG_OPERATIONS];
