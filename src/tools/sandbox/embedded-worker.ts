/**
 * The sandbox worker's code, inlined at build time (see worker-source.ts). Imported only inside a
 * compiled binary, where worker.ts is not on disk; from source, the worker file is used directly.
 */
import { workerSource } from "./worker-source" with { type: "macro" };

/** The bundled worker as a blob: URL a `Worker` can start from. */
export const EMBEDDED_WORKER_URL = URL.createObjectURL(new Blob([workerSource()], { type: "application/javascript" }));
