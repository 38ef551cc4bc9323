/** `portico user reset-password`: print a one-time password reset link (no mail server needed). */
import { createPasswordReset } from "../../auth/password-resets";
import { intFlag, lines, userFlag, withDeps, type Command } from "../command";

export const userResetPasswordCommand: Command = {
  spec: {
    name: "user reset-password",
    summary: "print a one-time link that lets a user choose a new password",
    flags: {
      email: { description: "whose password to reset", value: "EMAIL", required: true },
      "ttl-hours": { description: "how long the link works (default 24)", value: "HOURS" },
    },
    details: "Using the link signs the user out everywhere. Links are built from --public-url (PORTICO_PUBLIC_URL).",
  },
  async run(ctx) {
    const ttlHours = intFlag(ctx, "ttl-hours", 24 * 30);
    return withDeps(ctx, async (deps) => {
      const user = await userFlag(ctx, deps);
      const reset = await createPasswordReset(deps, { userId: user.id, ttlHours });
      return {
        data: { userId: user.id, email: user.email, url: reset.url, expiresAt: new Date(reset.expiresAt).toISOString() },
        text: lines(`Password reset link for ${user.email} (one-time, until ${new Date(reset.expiresAt).toISOString()}):`, `  ${reset.url}`),
      };
    });
  },
};
