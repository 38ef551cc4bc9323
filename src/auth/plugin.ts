/**
 * The sign-in family of pages: `/` (where to start), `/login`, `/logout`, `/setup`, `/invite/{token}`,
 * `/reset/{token}` and `/account`. One SignIn (rate limiter, session rotation) is shared by all of them.
 */
import { Elysia } from "elysia";
import type { Deps } from "../deps";
import { pageErrors } from "../http/errors";
import { accountRoutes } from "./account";
import { currentUser } from "./current";
import { inviteRoutes } from "./invite-page";
import { loginRoutes } from "./login";
import { logoutRoutes } from "./logout";
import { resetRoutes } from "./reset-page";
import { setupRoutes } from "./setup";
import { SignIn } from "./sign-in";
import { countUsers } from "./users";
import { redirect } from "./views";

/** The auth pages as one Elysia plugin, registered in `createApp`. */
export function authPlugin(deps: Deps) {
  const signIn = new SignIn(deps);
  return new Elysia({ name: "auth" })
    // Local: errors of these pages become HTML pages (a RedirectError such as SignInRequired a 303).
    .onError(pageErrors(deps.log))
    .get("/", async ({ request }) => {
      if ((await currentUser(deps, request))) return redirect("/admin");
      return redirect((await countUsers(deps.db)) === 0 ? "/setup" : "/login");
    })
    .use(loginRoutes(signIn))
    .use(logoutRoutes(deps))
    .use(setupRoutes(signIn))
    .use(inviteRoutes(signIn))
    .use(resetRoutes(signIn))
    .use(accountRoutes(signIn));
}
