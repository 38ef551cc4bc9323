/** The operations on an organization's settings: members, invites, API keys, grants, audit. */
import type { AnyOperation } from "./operation";

export const ORG_OPERATIONS = [] as unknown as AnyOperation[];
