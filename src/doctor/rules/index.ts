/**
 * The connection doctor's rules (docs/architecture.md: Connection doctor): each a small pure function over one
 * client's events (or the project's) that returns a named finding with a fix in plain words, or null.
 */
import type { ClientRule, ProjectRule } from "./context";
import { audienceMixup } from "./audience-mixup";
import { authorizationAbandoned } from "./authorization-abandoned";
import { cimdUnusable } from "./cimd-unusable";
import { grantRevoked, memberRemoved, sessionEnded } from "./grant-ended";
import { metadataMiss } from "./metadata-miss";
import { publicUrlPort, publicUrlSchemeMismatch } from "./public-url";
import { refreshReuse } from "./refresh-reuse";
import { tokenNeverUsed } from "./token-never-used";

export const CLIENT_RULES: readonly ClientRule[] = [
  cimdUnusable,
  authorizationAbandoned,
  tokenNeverUsed,
  audienceMixup,
  refreshReuse,
  sessionEnded,
  memberRemoved,
  grantRevoked,
];

export const PROJECT_RULES: readonly ProjectRule[] = [publicUrlPort, publicUrlSchemeMismatch, metadataMiss];

export type { ClientContext, ClientRule, GrantFacts, ProjectContext, ProjectRule } from "./context";
