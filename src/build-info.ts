/** What this build is: `portico --version`, `/healthz` and the page footer show it (issue 12). */
import { buildInfo } from "./build-info-macro" with { type: "macro" };

export const BUILD = buildInfo();

/** `portico 0.1.0 (abc123def456)` */
export const VERSION_LINE = `portico ${BUILD.version} (${BUILD.commit})`;
