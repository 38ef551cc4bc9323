/** Every CLI command, in the order `portico --help` lists them. */
import type { Command } from "../command";
import { apikeyCreateCommand } from "./apikey-create";
import { auditHeadCommand } from "./audit-head";
import { auditVerifyCommand } from "./audit-verify";
import { backupCommand } from "./backup";
import { dbCopyCommand } from "./db-copy";
import { demoCommand } from "./demo";
import { doctorCommand } from "./doctor";
import { keysRotateCommand } from "./keys-rotate";
import { memberAddCommand } from "./member-add";
import { migrateCommand } from "./migrate";
import { orgCreateCommand } from "./org-create";
import { projectCreateCommand } from "./project-create";
import { projectExportCommand } from "./project-export";
import { projectImportCommand } from "./project-import";
import { publishCommand } from "./publish";
import { restoreCommand } from "./restore";
import { secretsRotateKeyCommand } from "./secrets-rotate-key";
import { toolDuplicateCommand } from "./tool-duplicate";
import { serveCommand } from "./serve";
import { userCreateCommand } from "./user-create";
import { userResetPasswordCommand } from "./user-reset-password";

export const COMMANDS: Command[] = [
  serveCommand,
  userCreateCommand,
  userResetPasswordCommand,
  orgCreateCommand,
  memberAddCommand,
  projectCreateCommand,
  projectImportCommand,
  projectExportCommand,
  toolDuplicateCommand,
  publishCommand,
  apikeyCreateCommand,
  doctorCommand,
  migrateCommand,
  backupCommand,
  restoreCommand,
  dbCopyCommand,
  keysRotateCommand,
  auditVerifyCommand,
  auditHeadCommand,
  secretsRotateKeyCommand,
  demoCommand,
];
