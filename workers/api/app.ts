import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { invalid, problemResponse, renderProblem } from "./problem";

export interface AppEnv {
  Bindings: Env;
  Variables: { requestId: string };
}

/** Largest request body accepted: a full ingest batch of 1,000 events fits with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

/** A router whose validation failures become problems. Every route module makes its own. */
export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const target = (result as { target?: string }).target;
        throw invalid(result.error as z.ZodError, target === "query" ? "query" : target === "param" ? "path" : "body");
      }
      return undefined;
    },
  });
}

/** The edge app's shared middleware: request ids, size limits, problems for every failure. */
export function base(): OpenAPIHono<AppEnv> {
  const app = router();
  app.use("*", async function requestId(c, next) {
    const id = c.req.header("cf-ray") ?? crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.header("x-request-id", id);
  });
  app.use(
    "/v1/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => problemResponse(c, 413, `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`),
    }),
  );
  app.onError(renderProblem);
  app.notFound((c) => problemResponse(c, 404, `No route for ${c.req.method} ${new URL(c.req.url).pathname}. See /docs.`));
  return app;
}
