/**
 * Org → Members (`/admin/{org}/settings/members`): members with their roles, invite links with a role
 * (the link is shown once, on the page the creation redirects to), role changes and removal (which revokes the member's
 * grants at once). Viewers and developers see the list read-only.
 */
import { Elysia } from "elysia";
import type { Deps } from "../../deps";
import { ROLES, type Role } from "../../domain";
import { roleAtLeast } from "../../auth/scopes";
import { html, type Html } from "../../web/html";
import { adminPage, orgPath } from "../layout";
import { csrfOf, done, flashFrom, orgPageAccess, postedForm } from "../context";
import { changeRole, endMemberAccess, inviteMember, removeOrgMember, revokeMemberInvite, viewMembers } from "../../services/members";
import { invoke } from "../../services/operation";
import type { OrgAccess } from "../../services/access";
import { holdOnce, takeOnce } from "../one-time";
import { redirect } from "../../auth/views";
import { copyBox, csrfField, pageSlice, postButton, table, when } from "../ui";

const FLASH = {
  "access-ended": "The member's access to this organization ended: the apps they connected here were disconnected and their API keys here revoked.",
  role: "Role changed.", removed: "Member removed; their authorized apps were disconnected and their API keys revoked.", "invite-revoked": "Invite withdrawn." };
const BASE = "/settings/members";

function roleOptions(selected: Role, assignable: readonly Role[]): Html {
  return html`${assignable.map((r) => html`<option value="${r}"${r === selected ? html` selected` : ""}>${r}</option>`)}`;
}

function assignableRoles(access: OrgAccess): readonly Role[] {
  return access.role === "owner" ? ROLES : ROLES.filter((r) => r !== "owner");
}

/** What the page after the invite redirect shows once (admin/one-time.ts). */
interface NewInvite {
  url: string;
  role: Role;
}
const NEW_INVITE = "new-invite";

async function render(deps: Deps, request: Request, access: OrgAccess): Promise<Response> {
  const { members, invites } = await invoke(viewMembers, deps, access, {});
  const created = access.via.kind === "session" ? takeOnce<NewInvite>(deps, access.via.sessionId, NEW_INVITE, new URL(request.url).searchParams.get("shown")) : null;
  // The last owner cannot leave (the service refuses it): no button that only leads to a refusal (issue 16 #8).
  const soleOwner = members.filter((m) => m.role === "owner").length === 1;
  const manage = roleAtLeast(access.role, "admin");
  const csrf = csrfOf(access);
  const path = (rest: string) => orgPath(access.org, `${BASE}${rest}`);
  const { items, pager } = pageSlice(request, members);
  const rows = items.map((m) => {
    const editable = manage && (m.role !== "owner" || access.role === "owner");
    const roleCell = editable
      ? html`<form method="post" action="${path(`/${m.userId}/role`)}" class="row-form">${csrfField(csrf)}
<label class="sr-only" for="role-${m.userId}">Role of ${m.email}</label><select id="role-${m.userId}" name="role">${roleOptions(m.role, assignableRoles(access))}</select>
<button type="submit" class="secondary">Change</button></form>`
      : html`<span class="badge">${m.role}</span>`;
    const self = m.userId === access.user.id;
    const remove = editable && !(self && m.role === "owner" && soleOwner)
      ? postButton(path(`/${m.userId}/remove`), m.userId === access.user.id ? "Leave" : "Remove", csrf, {
          danger: true,
          confirm: `Remove ${m.email}? Every app they authorized in this organization is disconnected and their API keys here are revoked for good.`,
        })
      : "";
    const signOut = editable && m.userId !== access.user.id
      ? postButton(path(`/${m.userId}/sessions/end`), "End access here", csrf, {
          secondary: true,
          confirm: `End ${m.email}'s access to this organization? Every app they connected to its projects is disconnected and their API keys here are revoked; they stay a member and can connect again.`,
        })
      : "";
    return html`<tr><td><strong>${m.name}</strong><div class="muted small">${m.email}</div></td><td>${roleCell}</td><td>${when(m.since)}</td><td class="row-actions">${signOut}${remove}</td></tr>`;
  });
  const createdBox = created
    ? html`<div class="notice ok" role="status"><p><strong>Invite link for a new ${created.role}.</strong> Copy it now and send it to the person you invite; it is shown only once.</p>${copyBox(created.url, "Copy link")}</div>`
    : "";
  const inviteForm = manage
    ? html`<div class="card"><h2>Invite someone</h2><form method="post" action="${path("/invite")}">${csrfField(csrf)}
<div class="filters"><div><label for="inv-role">Role</label><select id="inv-role" name="role">${roleOptions("developer", assignableRoles(access))}</select></div>
<div><label for="inv-email">Email (optional: only this person can accept)</label><input id="inv-email" name="email" type="email" placeholder="name@example.com"></div></div>
<div class="actions"><button type="submit" data-busy="Creating…">Create invite link</button></div>
<p class="muted small">Viewers can use published tools; developers also edit and test the draft; admins publish and manage members, keys and authorized apps; owners can do everything.</p></form></div>`
    : html`<p class="muted small">Only admins can invite, change roles or remove members.</p>`;
  const pending = manage && invites.length
    ? html`<h2>Pending invites</h2>${table(
        ["Role", "For", "Created", "Expires", ""],
        invites.map(
          (i) => html`<tr><td><span class="badge">${i.role}</span></td><td>${i.email ?? html`<span class="muted">anyone with the link</span>`}</td><td>${when(i.createdAt)}${i.createdByEmail ? html`<div class="muted small">by ${i.createdByEmail}</div>` : ""}</td><td>${when(i.expiresAt)}</td>
<td>${postButton(path(`/invites/${i.id}/revoke`), "Withdraw", csrf, { secondary: true })}</td></tr>`,
        ),
      )}`
    : "";
  const body = html`<h1>Members</h1>${createdBox}${table(["Member", "Role", "Since", ""], rows, "members")}${pager}${inviteForm}${pending}`;
  return adminPage({ title: "Members", user: access.user, role: access.role, org: access.org, orgTab: "members", flash: flashFrom(request, FLASH), body });
}

/** Members and invites routes. */
export function memberPages(deps: Deps) {
  const back = (access: OrgAccess) => orgPath(access.org, BASE);
  return new Elysia()
    .get("/admin/:org/settings/members", async ({ request, params }) => render(deps, request, await orgPageAccess(deps, request, params.org)))
    .post("/admin/:org/settings/members/invite", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      const fields = postedForm(request, body, access);
      const invite = await invoke(inviteMember, deps, access, fields);
      // POST/redirect/GET (issue 16 #7): a reload cannot make a second invite; the link reaches the next page
      // server-side, never in the URL.
      const shown = access.via.kind === "session" ? holdOnce(deps, access.via.sessionId, NEW_INVITE, { url: invite.url, role: fields.role as Role } satisfies NewInvite) : "";
      return redirect(`${back(access)}?shown=${encodeURIComponent(shown)}`);
    })
    .post("/admin/:org/settings/members/invites/:invite/revoke", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      postedForm(request, body, access);
      await invoke(revokeMemberInvite, deps, access, { id: params.invite });
      return done(back(access), "invite-revoked");
    })
    .post("/admin/:org/settings/members/:user/role", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      await invoke(changeRole, deps, access, { ...postedForm(request, body, access), userId: params.user });
      return done(back(access), "role");
    })
    .post("/admin/:org/settings/members/:user/sessions/end", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      postedForm(request, body, access);
      await invoke(endMemberAccess, deps, access, { userId: params.user });
      return done(back(access), "access-ended");
    })
    .post("/admin/:org/settings/members/:user/remove", async ({ request, params, body }) => {
      const access = await orgPageAccess(deps, request, params.org);
      postedForm(request, body, access);
      await invoke(removeOrgMember, deps, access, { userId: params.user });
      return params.user === access.user.id ? done("/admin", "left") : done(back(access), "removed");
    });
}
