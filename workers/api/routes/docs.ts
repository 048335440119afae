import type { OpenAPIHono } from "@hono/zod-openapi";
import { isMessageKey, type MessageParams } from "../../../shared/i18n/catalogue";
import { ENGLISH } from "../../../shared/i18n/locales";
import type { ProblemCode } from "../../../shared/i18n/problems";
import { type AppEnv, MAX_BODY_BYTES, router } from "../app";
import { ACCESS, type Rule } from "../auth/access";
import { DEFAULT_LIMITS, routeClass } from "../limits";
import { problemBody, problemWords } from "../problem";

/**
 * `/openapi.json`, generated from the routes' own schemas, and at `/docs` an interactive
 * reference (Swagger UI, served from the Worker's own assets under `/docs-ui/`: no CDN).
 *
 * The routes document their successes and their own refusals; what every route shares is added
 * here from where it is decided, so the document cannot drift from the code: who may call (the
 * access table: the bearer scheme, 401, 403), the rate limit of its class (429), the body limit
 * (413), validation (422) and unknown path parameters (404). Every problem has an example
 * rendered from the English catalogue, as the API itself would answer.
 */
export function docs(app: OpenAPIHono<AppEnv>) {
  const r = router();
  let document: OpenApiDocument | undefined;
  r.get("/openapi.json", (c) => {
    document ??= withSharedErrors(
      app.getOpenAPI31Document({
        openapi: "3.1.0",
        info: { title: "Equilibrium", version: "1.0.0", description: DESCRIPTION },
      }) as unknown as OpenApiDocument,
    );
    return c.json(document);
  });
  r.get("/docs", (c) => c.html(DOCS_PAGE));
  r.get("/", (c) => c.json({ name: "Equilibrium", docs: "/docs", openapi: "/openapi.json", health: "/health/ready" }));
  return r;
}

const DESCRIPTION = `Dynamic (surge) pricing at the edge: markets on H3, live supply and demand, signed upfront quotes.

**Access.** Every route but the public ones needs an access token: \`Authorization: Bearer <token>\` (a WebSocket may carry it as \`?access_token=\`). Tokens come from \`POST /v1/auth/token\`; locally, \`npm run --silent token -- <role>\` mints one. Each operation says which roles may call it and whether the token's markets must include the market it names.

**Errors** are \`application/problem+json\` (RFC 9457): a stable \`code\`, a \`title\` and \`detail\` in the answer's language (\`?locale=\`, \`Accept-Language\`, the user's saved locale, the market's default; \`Content-Language\` says which), and for invalid input \`errors: [{path, message}]\` naming every field. A method a path does not have is 405 with \`Allow\`. Bad input is always a 4xx, never a 5xx.

**Limits.** Per caller and class of route, in a sliding 60 s window: ${Object.entries(DEFAULT_LIMITS)
  .map(([name, rule]) => `${name} ${rule.requests}`)
  .join(", ")}; over it, 429 with \`Retry-After\`. Request bodies up to ${MAX_BODY_BYTES / 1024} KiB (413 beyond).`;

interface OpenApiOperation {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown; examples?: unknown }> }>;
  security?: Array<Record<string, string[]>>;
  "x-roles"?: string[] | "public";
}
interface OpenApiDocument {
  info: unknown;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { securitySchemes?: Record<string, unknown> } & Record<string, unknown>;
}

/** What a 404 on a path parameter says, by the parameter's name: its code and the message's value for it. */
const UNKNOWN: Record<string, [ProblemCode, string]> = {
  marketId: ["market-unknown", "market"],
  experimentId: ["experiment-unknown", "experiment"],
  keyId: ["api-key-unknown", "key"],
  userId: ["user-unknown", "user"],
  overrideId: ["override-unknown", "override"],
  entryId: ["calendar-entry-unknown", "entry"],
  subscriptionId: ["subscription-unknown", "subscription"],
};
const SAMPLE_VALUES: Record<string, string> = {
  marketId: "atlantis",
  experimentId: "exp-unknown",
  keyId: "key_0000",
  userId: "usr_0000",
  overrideId: "ovr_0000",
  entryId: "new-year",
  subscriptionId: "sub_0000",
};

type Example = [name: string, code: ProblemCode, params?: MessageParams, extensions?: object];

/** Refusals particular to a route (its handler's), by "METHOD path" and status: examples of each. */
const ROUTE_PROBLEMS: Record<string, Record<number, Example[]>> = {
  "PUT /v1/markets/{marketId}": {
    409: [["overlap", "market-overlap", { market: "nyc-manhattan", name: "Manhattan", lat: 40.75, lng: -73.99 }]],
  },
  "DELETE /v1/markets/{marketId}": { 409: [["active", "market-not-archived", { market: "nyc-manhattan" }]] },
  "GET /v1/surge": { 404: [["outside", "point-outside-markets", { lat: -75.1, lng: -40.7 }]] },
  "GET /v1/surge/history": {
    400: [["missing", "live-target-missing"]],
    404: [["cell", "cell-not-priced", { cell: "881f1d4887fffff" }]],
  },
  "GET /v1/live": {
    400: [["target", "live-target-missing"]],
    404: [
      ["cell", "cell-not-priced", { cell: "881f1d4887fffff" }],
      ["market", "market-unknown", { market: "atlantis" }],
    ],
    426: [["upgrade", "websocket-required"]],
  },
  "POST /v1/analytics/reports": { 404: [["market", "market-unknown", { market: "atlantis" }]] },
  "POST /v1/markets/{marketId}/history/import": { 415: [["type", "import-media-type"]] },
  "PUT /v1/experiments/{experimentId}": {
    409: [
      ["started", "experiment-started", { experiment: "steeper-curve", state: "started" }],
      ["overlap", "experiment-overlap", { other: "gentle", market: "nyc-manhattan", from: "2026-12-01", to: "2026-12-08" }],
    ],
  },
  "POST /v1/admin/users": { 409: [["exists", "user-exists", { email: "ops@example.com" }]] },
  "POST /v1/auth/token": {
    401: [["mfa", "mfa-required"]],
    403: [["delegate", "delegate-not-service"]],
  },
  "POST /v1/system/overrides": { 404: [["outside", "point-outside-markets", { lat: -75.1, lng: -40.7 }]] },
  "POST /v1/admin/chaos/zone": { 404: [["market", "market-unknown", { market: "atlantis" }]] },
  "POST /v1/notifications/subscriptions": {
    404: [["market", "market-unknown", { market: "atlantis" }]],
    409: [["too-many", "subscriptions-too-many", { count: 100, max: 100 }]],
  },
  "GET /v1/notifications/deliveries": { 404: [["subscription", "subscription-unknown", { subscription: "sub_0000" }]] },
  "GET /v1/notifications/mailbox": {
    404: [["production", "mailbox-off"]],
    503: [["stopped", "mailbox-unreachable"]],
  },
  "POST /v1/admin/translations/{language}/{key}": {
    404: [
      ["no-draft", "translation-draft-unknown", { key: "problem.market-unknown", language: "vi" }],
      ["no-message", "translation-key-unknown", { key: "problem.no-such-thing" }],
    ],
    409: [
      ["in-catalogue", "translation-not-missing", { key: "problem.no-route", language: "vi" }],
      ["stale", "translation-draft-stale", { key: "problem.market-unknown", language: "vi" }],
    ],
  },
  "POST /v1/feedback": { 404: [["market", "market-unknown", { market: "atlantis" }]] },
};

/** The operation's bearer scheme, roles and the errors every route shares, added to the document in place. */
export function withSharedErrors(doc: OpenApiDocument): OpenApiDocument {
  doc.components = {
    ...doc.components,
    securitySchemes: {
      bearer: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "An access token (ES256 JWT) from POST /v1/auth/token: api_key, password + TOTP, refresh_token, id_token, cloudflare_access or delegate. Locally: npm run --silent token -- <role>.",
      },
    },
  };
  // The problem's schema as the routes' own entries have it, once, for the entries added here.
  const problem = Object.values(doc.paths)
    .flatMap((item) => Object.values(item))
    .flatMap((op) => Object.values(op.responses))
    .map((r) => r.content?.["application/problem+json"]?.schema)
    .find(Boolean);
  doc.components.schemas = { ...(doc.components.schemas as object), Problem: problem };
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) describeOperation(path, method.toUpperCase(), op);
  return doc;
}

const PROBLEM_REF = { $ref: "#/components/schemas/Problem" };

function describeOperation(path: string, method: string, op: OpenApiOperation): void {
  const rules = ACCESS.filter((rule) => rule.method === method && rule.path === path);
  const guarded = rules.filter((rule): rule is Rule & { roles: readonly string[] } => rule.roles !== "public");
  const roles = [...new Set(guarded.flatMap((rule) => rule.roles))];
  const instance = path.replace(/\{(\w+)\}/g, (_, name: string) => SAMPLE_VALUES[name] ?? name);
  const add = (status: number, description: string, examples: Example[]) => {
    const entry = op.responses[String(status)] ?? { description };
    const content = entry.content?.["application/problem+json"] ?? { schema: PROBLEM_REF };
    content.examples = {
      ...(content.examples as object),
      ...Object.fromEntries(
        examples
          .filter(([, code]) => isMessageKey(`problem.${code}`))
          .map(([name, code, params, extensions]) => [name, { value: example(status, code, params, instance, extensions) }]),
      ),
    };
    op.responses[String(status)] = { ...entry, content: { ...entry.content, "application/problem+json": content } };
  };

  if (rules.length > 0 && guarded.length === 0) {
    op.security = [];
    op["x-roles"] = "public";
  } else if (guarded.length > 0) {
    // A public rule beside guarded ones (the deep readiness probe): the token is optional.
    op.security = guarded.length < rules.length ? [{}, { bearer: [] }] : [{ bearer: [] }];
    op["x-roles"] = roles;
    const market = guarded.some((rule) => rule.market) ? " The token's markets must include the market it names." : "";
    const who =
      rules.length === 1
        ? roles.join(", ")
        : rules
            .map(
              (rule) =>
                `${rule.query ? `with \`?${rule.query}\`` : "otherwise"}: ${rule.roles === "public" ? "anyone" : rule.roles.join(", ")}`,
            )
            .join("; ");
    op.description = `${op.description ? `${op.description}\n\n` : ""}**Who may call:** ${who}.${market}`;
    add(401, "No access token, or one that is malformed, expired, revoked or not ours (WWW-Authenticate: Bearer)", [
      ["missing", "token-required"],
      ["invalid", "token-invalid", { reason: "it has expired" }],
    ]);
    const outsider = ["rider", "driver", "service", "operator"].find((role) => !roles.includes(role)) ?? "rider";
    add(403, `The token's roles are not among ${roles.join(", ")}${market ? ", or its markets do not include this one" : ""}`, [
      ["role", "role-forbidden", { route: `${method} ${path}`, allowed: roles.join(", "), held: outsider }],
      ...(market ? [["market", "market-forbidden", { market: SAMPLE_VALUES.marketId }] as Example] : []),
    ]);
  }
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
  const unknown = params.filter((name) => UNKNOWN[name]);
  if (unknown.length > 0)
    add(
      404,
      op.responses["404"]?.description ?? "Nothing by that id",
      unknown.map((name) => {
        const [code, value] = UNKNOWN[name] as [ProblemCode, string];
        return [name.replace(/Id$/, ""), code, { [value]: SAMPLE_VALUES[name] ?? name, market: SAMPLE_VALUES.marketId ?? "" }];
      }),
    );
  if (op.parameters?.length || op.requestBody) {
    const inBody = Boolean(op.requestBody);
    const field = inBody ? "(body)" : (op.parameters?.find((p) => p.required)?.name ?? op.parameters?.[0]?.name ?? "(query)");
    const reason = inBody ? "is required" : "must be a number";
    add(422, "The input does not match the schema: every field at fault is in `errors`", [
      ["invalid", inBody ? "invalid-body" : "invalid-query", { field, reason }, { errors: [{ path: field, message: reason }] }],
    ]);
  }
  if (op.requestBody && path.startsWith("/v1/"))
    add(413, `The body is over ${MAX_BODY_BYTES / 1024} KiB`, [["too-large", "payload-too-large", { bytes: MAX_BODY_BYTES }]]);
  const limited = rules.map((rule) => routeClass(rule.id)).find((cls) => cls !== null);
  if (limited) {
    const rule = DEFAULT_LIMITS[limited];
    add(
      429,
      `More than ${rule.requests} ${limited} requests in ${rule.windowSeconds} s from this caller (Retry-After says when to try again)`,
      [
        [
          "limited",
          "rate-limited",
          { routeClass: limited, limit: rule.requests, window: rule.windowSeconds, seconds: 12 },
          { routeClass: limited, limit: rule.requests, windowSeconds: rule.windowSeconds, retryAfterSeconds: 12 },
        ],
      ],
    );
  }
  const unavailable: Example = path.startsWith("/v1/events/")
    ? ["draining", "draining", { what: "events" }]
    : ["unavailable", "database-unreachable"];
  if (op.responses["503"]) add(503, op.responses["503"].description, [unavailable]);
  for (const [status, examples] of Object.entries(ROUTE_PROBLEMS[`${method} ${path}`] ?? {}))
    add(Number(status), op.responses[status]?.description ?? "A problem (RFC 9457)", examples);
}

/** A problem as the API answers it in English. */
function example(status: number, code: ProblemCode, params: MessageParams | undefined, instance: string, extensions = {}) {
  const words = problemWords(ENGLISH, status, { code, params });
  return problemBody(words, status, code, extensions, instance, "8f14e45f-ea7c-4d1e-9c3b-2b9e5d1a7c00");
}

// Swagger UI from the Worker's assets (public/docs-ui, copied from swagger-ui-dist by scripts/build-docs.ts).
const DOCS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Equilibrium API</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/docs-ui/swagger-ui.css"><style>body{margin:0}.topbar{display:none}</style></head>
<body><noscript>The reference needs JavaScript; the document itself is <a href="/openapi.json">/openapi.json</a>.</noscript><div id="ui"></div>
<script src="/docs-ui/swagger-ui-bundle.js"></script><script>
SwaggerUIBundle({url:"/openapi.json",dom_id:"#ui",deepLinking:true,persistAuthorization:true,displayRequestDuration:true,filter:true,docExpansion:"list",defaultModelsExpandDepth:0,tryItOutEnabled:false});
</script></body></html>`;
