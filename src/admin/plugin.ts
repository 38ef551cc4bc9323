/** The settings pages (`/admin/...`, `/account/apps`): one Elysia plugin composing a file per page. */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { pageErrors } from "../http/errors";
import { currentUser } from "../auth/current";
import { findOrg, roleOf } from "../projects/orgs";
import { adminErrorChrome, errorPageOrg } from "./layout";
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

/**
 * Who is signed in, for an error page's header, and whether they belong to the org the address names (the
 * page offers a way back to it only then: a link a non-member follows is one more 404, found by the
 * crawler, test/admin/crawl.browser.test.ts). An error page never fails for want of either.
 */
async function errorChrome(deps: Deps, request: Request) {
  const path = new URL(request.url).pathname;
  try {
    const user = (await currentUser(deps, request))?.user ?? null;
    const orgSlug = errorPageOrg(path);
    const org = user && orgSlug ? await findOrg(deps.db, orgSlug) : undefined;
    const member = Boolean(user && org && (await roleOf(deps.db, org.id, user.id)));
    return adminErrorChrome(user, path, member);
  } catch {
    return adminErrorChrome(null, path, false);
  }
}

/** Every settings page route, for `createApp`. */
export function adminPlugin(deps: Deps) {
  return new Elysia({ name: "admin" })
    // Local (applies to the pages used below, not to the app around it): errors become HTML pages.
    .onError(pageErrors(deps.log, (request) => errorChrome(deps, request)))
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
