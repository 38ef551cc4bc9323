/** The settings pages (`/admin/...`, `/account/apps`): one Elysia plugin composing a file per page. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { pageErrors } from "../http/errors";
import { currentUser } from "../auth/current";
import { adminErrorChrome } from "./layout";
import { accountAppPages } from "./pages/account-apps";
import { appPages } from "./pages/apps";
import { auditPages } from "./pages/audit";
import { homePages } from "./pages/home";
import { keyPages } from "./pages/keys";
import { manifestPages } from "./pages/manifest";
import { promptPages } from "./pages/prompts";
import { memberPages } from "./pages/members";
import { orgAuditPages } from "./pages/org-audit";
import { publishPages } from "./pages/publish";
import { serverPages } from "./pages/server";
import { projectSettingsPages } from "./pages/project-settings";
import { toolPages } from "./pages/tools";
import { toolPreviewPages } from "./pages/tool-preview";
import { instructionPages } from "./pages/instructions";

/** Who is signed in, for an error page's header; an error page never fails for want of one. */
async function signedInUser(deps: Deps, request: Request) {
  try {
    return (await currentUser(deps, request))?.user ?? null;
  } catch {
    return null;
  }
}

/** Every settings page route, for `createApp`. */
export function adminPlugin(deps: Deps) {
  return new Elysia({ name: "admin" })
    // Local (applies to the pages used below, not to the app around it): errors become HTML pages.
    .onError(pageErrors(deps.log, async (request) => adminErrorChrome(await signedInUser(deps, request), new URL(request.url).pathname)))
    .use(homePages(deps))
    .use(memberPages(deps))
    .use(appPages(deps))
    .use(orgAuditPages(deps))
    .use(accountAppPages(deps))
    .use(serverPages(deps))
    .use(projectSettingsPages(deps))
    .use(toolPreviewPages(deps))
    .use(toolPages(deps))
    .use(instructionPages(deps))
    .use(manifestPages(deps))
    .use(promptPages(deps))
    .use(publishPages(deps))
    .use(keyPages(deps))
    .use(auditPages(deps));
}
