/** `portico user create`: add a user account (a generated password is printed when none is given). */
import { newToken } from "../../lib/ids";
import { createUser } from "../../auth/users";
import { lines, withDeps, type Command } from "../command";

export const userCreateCommand: Command = {
  spec: {
    name: "user create",
    summary: "create a user account",
    flags: {
      email: { description: "the user's email (their sign-in name)", value: "EMAIL", required: true },
      name: { description: "display name (default: the part of the email before @)", value: "NAME" },
      password: { description: "password, at least 10 characters (default: generated and printed)", value: "PASSWORD" },
    },
    details: "Then add the user to an organization: portico member add --org ORG --email EMAIL --role developer",
  },
  async run(ctx) {
    const password = ctx.args.flags.password ?? newToken().slice(0, 20);
    const user = await withDeps(ctx, async (deps) => (await createUser(deps.db, { email: ctx.args.flags.email!, name: ctx.args.flags.name, password }, deps.clock.now())));
    const generated = ctx.args.flags.password === undefined;
    return {
      data: { id: user.id, email: user.email, name: user.name, ...(generated ? { password } : {}) },
      text: lines(`Created user ${user.email} (${user.id}).`, generated && `Password: ${password}`),
    };
  },
};
