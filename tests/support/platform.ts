import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { newQuoteSigningKey } from "../../scripts/signing-key";
import { BUNDLE_DIR, buildWorker, quietWrangler, ROOT } from "./build";

/**
 * The real edge worker and its Durable Objects, running in workerd through Miniflare, with the
 * bindings `wrangler.toml` declares. State lives under a directory that survives `restart()`.
 */
export interface Platform {
  url: string;
  /** Stops workerd and starts it again on the same state (a deploy or a crash, as far as state goes). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T = unknown>(path: string, body: unknown, method?: string): Promise<{ status: number; body: T; headers: Headers }>;
}

export interface PlatformOptions {
  persistDir?: string;
  signingKey?: string;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  Object.assign(process.env, quietWrangler);
  buildWorker();
  const persist = options.persistDir ?? mkdtempSync(join(tmpdir(), "equilibrium-"));
  const ownsPersist = options.persistDir === undefined;
  const signingKey = options.signingKey ?? (await newQuoteSigningKey());
  const { workerOptions } = unstable_getMiniflareWorkerOptions(resolve(ROOT, "wrangler.toml"));

  const start = async () => {
    const converted = convertV4MiniflareOptions({
        ...workerOptions,
        modulesRules: undefined,
        modules: true,
        scriptPath: join(BUNDLE_DIR, "index.js"),
        bindings: { ...(workerOptions.bindings as Record<string, unknown>), QUOTE_SIGNING_KEY: signingKey },
        port: 0,
      } as Parameters<typeof convertV4MiniflareOptions>[0]);
    const mf = new Miniflare({ ...converted, resourcePersistencePath: join(persist, "state") });
    const url = (await mf.ready).href.replace(/\/$/, "");
    return { mf, url };
  };

  let current = await start();
  const platform: Platform = {
    get url() {
      return current.url;
    },
    async restart() {
      await current.mf.dispose();
      current = await start();
    },
    async dispose() {
      await current.mf.dispose();
      if (ownsPersist) rmSync(persist, { recursive: true, force: true });
    },
    fetch: (path, init) => fetch(current.url + path, init),
    async json(path, body, method = "POST") {
      const res = await fetch(current.url + path, {
        method,
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
  return platform;
}
