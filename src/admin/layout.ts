/**
 * The settings pages' frame: a top bar (Portico, the org/project trail, the account links), the org or
 * project tabs, and a flash notice. Built on `page()` so every page carries the same security headers.
 */
import type { Org, Project, Role, User } from "../db/schema";
import { roleAtLeast } from "../auth/scopes";
import { html, type Html } from "../web/html";
import { page } from "../web/layout";

/** The org page tabs. */
export type OrgTab = "projects" | "members" | "apps" | "audit";
/** The project page tabs. */
export type ProjectTab = "server" | "tools" | "instructions" | "publish" | "audit" | "keys" | "settings";

/** [id, label, path under the org or project, lowest role that may open it] */
type Tab<T> = [T, string, string, Role];

const ORG_TABS: Array<Tab<OrgTab>> = [
  ["projects", "Projects", "", "viewer"],
  ["members", "Members", "/settings/members", "viewer"],
  ["apps", "Authorized apps", "/settings/apps", "admin"],
  ["audit", "Audit", "/settings/audit", "admin"],
];

const PROJECT_TABS: Array<Tab<ProjectTab>> = [
  ["server", "Server", "", "viewer"],
  ["tools", "Tools", "/tools", "viewer"],
  ["instructions", "Instructions", "/instructions", "viewer"],
  ["publish", "Publish & history", "/publish", "viewer"],
  ["audit", "Audit log", "/audit", "developer"],
  ["keys", "API keys", "/keys", "viewer"],
  ["settings", "Settings", "/settings", "viewer"],
];

/** Path of an org settings page (`rest` starts with "/"). */
export function orgPath(org: Pick<Org, "slug">, rest = ""): string {
  return `/admin/${org.slug}${rest}`;
}

/** Path of a project settings page (`rest` starts with "/" or "?"). */
export function projectPath(org: Pick<Org, "slug">, project: Pick<Project, "slug">, rest = ""): string {
  return `/admin/${org.slug}/${project.slug}${rest}`;
}

/** What one settings page shows. */
export interface AdminPageOptions {
  title: string;
  user: User;
  /** The user's role in `org`: tabs they may not open are left out. */
  role?: Role;
  body: Html;
  org?: Org;
  project?: Project;
  orgTab?: OrgTab;
  projectTab?: ProjectTab;
  /** A one-line success message (after a redirect) or error (a refused form). */
  flash?: { kind: "ok" | "error"; text: string } | null;
  status?: number;
}

function topBar(o: Pick<AdminPageOptions, "org" | "project" | "user">): Html {
  const trail = [
    o.org ? html` <span class="muted">/</span> <a href="${orgPath(o.org)}">${o.org.name}</a>` : "",
    o.org && o.project ? html` <span class="muted">/</span> <a href="${projectPath(o.org, o.project)}">${o.project.name}</a>` : "",
  ];
  return html`<header class="top">
<div class="trail"><a class="brand" href="/admin">Portico</a>${trail}</div>
<nav class="account"><a href="/account">${o.user.name} <span class="who">${o.user.email}</span></a><a href="/account/apps">Authorized apps</a><a href="/logout">Sign out</a></nav>
</header>`;
}

/** The tabs the role may open (the pages themselves refuse the others with 403). */
function tabs<T extends string>(list: Array<Tab<T>>, base: string, on: T | undefined, role: Role): Html {
  return html`<nav class="tabs" aria-label="Sections">${list.filter(([, , , min]) => roleAtLeast(role, min)).map(
    ([id, label, rest]) => html`<a href="${base + rest}" class="${id === on ? "on" : ""}"${id === on ? html` aria-current="page"` : ""}>${label}</a>`,
  )}</nav>`;
}

/** A full settings page. */
export function adminPage(o: AdminPageOptions): Response {
  const tabBar =
    o.org && o.project && o.projectTab
      ? tabs(PROJECT_TABS, projectPath(o.org, o.project), o.projectTab, o.role ?? "viewer")
      : o.org && o.orgTab
        ? tabs(ORG_TABS, orgPath(o.org), o.orgTab, o.role ?? "viewer")
        : "";
  const flash = o.flash ? html`<div class="notice ${o.flash.kind}" role="${o.flash.kind === "error" ? "alert" : "status"}">${o.flash.text}</div>` : "";
  return page({ title: o.title, status: o.status, nav: topBar(o), body: html`${tabBar}${flash}${o.body}` });
}

/** The org slug an address below an org page names (`/admin/{org}/…`), if any. */
export function errorPageOrg(path: string): string | undefined {
  return /^\/admin\/([^/]+)\/./.exec(path)?.[1];
}

/**
 * The header and way back of an error page under `/admin` (issue 16 #8): the signed-in user's normal top
 * bar, and links to the organization the address names (if `member` of it) and to the list of
 * organizations; signed out, the default page and its link to Portico's start page.
 */
export function adminErrorChrome(user: User | null, path: string, member: boolean): { nav?: Html; back?: Html } {
  // Signed out: the default way back (Portico's start page), which offers sign-in.
  if (!user) return {};
  const orgSlug = member ? errorPageOrg(path) : undefined;
  const back = html`<div class="actions">${orgSlug ? html`<a class="button" href="${`/admin/${orgSlug}`}">Back to the organization</a>` : ""}<a class="button${orgSlug ? " secondary" : ""}" href="/admin">Your organizations</a></div>`;
  return { nav: topBar({ user }), back };
}
