/** The "connect a host" steps on the Server page, in our own words (docs/architecture.md: the user pastes a URL). */
import { html, type Html } from "../../web/html";

/** Step-by-step text for Claude, ChatGPT and any other MCP host, for the given channel URL. */
export function connectGuide(productionUrl: string, draftUrl: string, projectName: string): Html {
  return html`<div class="card guide" id="connect">
<h2>Connect an AI host</h2>
<p>Hosts connect by URL alone: no API key and no config file. The host finds Portico's sign-in on its own,
you sign in with your Portico account, check what the app may do, and click <strong>Authorize</strong>.
Everyone who connects needs to be a member of this organization (unless the project is public).</p>
<details open><summary><strong>Claude (desktop app or claude.ai)</strong></summary><ol>
<li>Open <strong>Settings → Connectors</strong> and choose <strong>Add custom connector</strong>.</li>
<li>Give it a name such as <em>${projectName}</em>, paste the production URL <code>${productionUrl}</code> and click <strong>Add</strong>.</li>
<li>Click <strong>Connect</strong>. A Portico page opens: sign in if asked, review the permissions, click <strong>Authorize</strong>.</li>
<li>Back in Claude the connector shows as connected; its tools are available in new conversations.</li>
</ol></details>
<details><summary><strong>ChatGPT</strong></summary><ol>
<li>Open <strong>Settings → Apps &amp; Connectors</strong>; under <strong>Advanced settings</strong> turn on developer mode if your plan requires it.</li>
<li>Choose <strong>Create</strong> (or <em>Add connector</em>), paste <code>${productionUrl}</code> and pick <strong>OAuth</strong> as authentication.</li>
<li>ChatGPT opens the Portico authorization page: sign in, review, <strong>Authorize</strong>.</li>
<li>Enable the connector in a conversation to use its tools.</li>
</ol></details>
<details><summary><strong>Other MCP hosts and scripts</strong></summary><ol>
<li>Use the <strong>Streamable HTTP</strong> transport with the URL above. Hosts that support MCP authorization discover
Portico's OAuth server from the URL's first <code>401</code> response and register themselves.</li>
<li>For MCP Inspector, run it locally and paste the URL; it signs in the same way.</li>
<li>For scripts and CI without a browser, create an API key on the <strong>API keys</strong> tab and send
<code>Authorization: Bearer prt_…</code>.</li>
</ol></details>
<h3>Draft and production side by side</h3>
<p>Add the draft URL <code>${draftUrl}</code> as a second connector to try unpublished changes before you publish.
The host shows it as “${projectName} (draft)”. Draft needs the developer role or higher.</p>
<h3>When something goes wrong</h3>
<ul>
<li><strong>The host says it cannot connect or shows no tools:</strong> the authorization was revoked or its sign-in session ended
(sign-out, password change, idle for 30 days). Connect again from the host.</li>
<li><strong>Production answers that nothing is published:</strong> publish a version on the <strong>Publish &amp; history</strong> tab.</li>
<li><strong>Tools appear but every call fails:</strong> open the <strong>Audit log</strong> tab; each call is there with its input, output and error.</li>
<li><strong>Old tools are still shown:</strong> some hosts cache tool lists; reconnect or restart the host.</li>
</ul></div>`;
}
