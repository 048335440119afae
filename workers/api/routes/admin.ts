import { createRoute, z } from "@hono/zod-openapi";
import { withAudit } from "../../../db/audit";
import { disableUser, insertApiKey, insertUser, listApiKeys, revokeApiKey } from "../../../db/identity";
import { LocaleTagSchema } from "../../../shared/i18n/catalogue";
import { base32Encode, otpauthUri } from "../../../shared/kit/totp";
import { router, withDatabase } from "../app";
import { audited } from "../audit";
import { ACCESS } from "../auth/access";
import { revoke } from "../auth/revocations";
import { hashPassword, randomSecret, sha256 } from "../auth/secrets";
import { ACCESS_TOKEN_SECONDS } from "../auth/tokens";
import { ProblemError, problemDoc } from "../problem";

/**
 * Operators' view of history that could not be written: the dead letters parked by the
 * analytics consumer, and replaying them once the cause is fixed.
 */
export const admin = router();

const Summary = z.object({
  count: z.number().int(),
  oldest: z.string().nullable(),
  reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
});

async function relay(env: Env, path: string, method: string): Promise<unknown> {
  const res = await env.HISTORY_WRITER.fetch(`https://history${path}`, { method });
  if (!res.ok) throw new ProblemError(503, { code: "analytics-worker-failed", params: { status: String(res.status) } });
  return res.json();
}

admin.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/dead-letters",
    summary: "History messages that kept failing and are parked",
    tags: ["admin"],
    responses: { 200: { description: "Count and age", content: { "application/json": { schema: Summary } } }, 503: problemDoc },
  }),
  async (c) => c.json((await relay(c.env, "/dead-letters", "GET")) as z.infer<typeof Summary>, 200),
);

admin.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/dead-letters/replay",
    summary: "Send every parked message back to the history queue",
    tags: ["admin"],
    responses: {
      200: {
        description: "How many went",
        content: { "application/json": { schema: z.object({ replayed: z.number().int() }) } },
      },
      503: problemDoc,
    },
  }),
  async (c) => c.json((await relay(c.env, "/dead-letters/replay", "POST")) as { replayed: number }, 200),
);

// API keys for partner back ends: the secret is in the creation response and nowhere else.

const ApiKeyInput = z.object({
  name: z.string().min(1).max(80),
  roles: z
    .array(z.enum(["service", "rider", "driver"]))
    .min(1)
    .max(3)
    .default(["service"]),
  markets: z.array(z.string().max(40)).min(1).max(50),
  routes: z
    .array(z.string().max(64))
    .min(1)
    .max(40)
    .optional()
    .describe("route ids (see the access table); omitted = every route its roles allow"),
});
const ApiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  roles: z.array(z.string()),
  markets: z.array(z.string()),
  routes: z.array(z.string()).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

admin.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/api-keys",
    summary: "Create an API key (its secret is shown once, in this response)",
    tags: ["admin"],
    request: { body: { required: true, content: { "application/json": { schema: ApiKeyInput } } } },
    responses: {
      201: {
        description: "The key, with its secret",
        content: { "application/json": { schema: ApiKeyView.extend({ key: z.string() }) } },
      },
      422: problemDoc,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const unknown = input.routes?.find((r) => !ACCESS.some((rule) => rule.id === r));
    if (unknown) throw new ProblemError(422, { code: "route-id-unknown", params: { route: unknown } });
    const slug = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
    const secret = randomSecret();
    const row = {
      id: `key_${slug}`,
      name: input.name,
      secretHash: await sha256(secret),
      roles: input.roles,
      markets: input.markets,
      routes: input.routes ?? null,
      createdBy: c.get("principal")?.subject ?? "unknown",
      createdAt: new Date(),
    };
    const entry = audited(c, "api-key.create", row.id, null, {
      name: row.name,
      roles: row.roles,
      markets: row.markets,
      routes: row.routes,
    });
    await withDatabase(c, (db) => withAudit(db, entry, (tx) => insertApiKey(tx, row)));
    const { secretHash: _hash, ...view } = row;
    return c.json({ ...view, createdAt: row.createdAt.toISOString(), revokedAt: null, key: `eqk_${slug}_${secret}` }, 201);
  },
);

admin.openapi(
  createRoute({
    method: "get",
    path: "/v1/admin/api-keys",
    summary: "List API keys (never their secrets)",
    tags: ["admin"],
    responses: {
      200: { description: "Keys", content: { "application/json": { schema: z.object({ keys: z.array(ApiKeyView) }) } } },
    },
  }),
  async (c) => {
    const keys = await withDatabase(c, (db) => listApiKeys(db));
    return c.json(
      { keys: keys.map((k) => ({ ...k, createdAt: k.createdAt.toISOString(), revokedAt: k.revokedAt?.toISOString() ?? null })) },
      200,
    );
  },
);

admin.openapi(
  createRoute({
    method: "delete",
    path: "/v1/admin/api-keys/{keyId}",
    summary: "Revoke an API key (its access tokens, and those it delegated, stop working at once)",
    tags: ["admin"],
    request: { params: z.object({ keyId: z.string().max(40) }) },
    responses: {
      200: { description: "Revoked", content: { "application/json": { schema: z.object({ revoked: z.literal(true) }) } } },
      404: problemDoc,
    },
  }),
  async (c) => {
    const { keyId } = c.req.valid("param");
    const entry = audited(c, "api-key.revoke", keyId, null);
    const revoked = await withDatabase(c, (db) => withAudit(db, entry, (tx) => revokeApiKey(tx, keyId), Boolean));
    if (!revoked) throw new ProblemError(404, { code: "api-key-unknown", params: { key: keyId } });
    await revokeSubject(c.env, keyId);
    return c.json({ revoked: true as const }, 200);
  },
);

// People: operators and admins sign in with a password and TOTP, or through single sign-on.

const UserInput = z.object({
  email: z.string().email().max(254),
  roles: z.array(z.enum(["operator", "admin"])).min(1),
  markets: z.array(z.string().max(40)).min(1).max(50),
  password: z.string().min(12, "at least 12 characters").max(200).optional().describe("omit for single sign-on only"),
  locale: LocaleTagSchema.optional().describe("the language their answers use when a request names none"),
});

admin.openapi(
  createRoute({
    method: "post",
    path: "/v1/admin/users",
    summary: "Add an operator or admin (the TOTP secret is shown once, to enrol an authenticator)",
    tags: ["admin"],
    request: { body: { required: true, content: { "application/json": { schema: UserInput } } } },
    responses: {
      201: {
        description: "The user and their second factor",
        content: {
          "application/json": {
            schema: z.object({
              id: z.string(),
              email: z.string(),
              totp: z.object({ secret: z.string(), uri: z.string() }).nullable(),
            }),
          },
        },
      },
      409: problemDoc,
      422: problemDoc,
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const email = input.email.toLowerCase();
    const totpSecret = input.password ? base32Encode(crypto.getRandomValues(new Uint8Array(20))) : null;
    const id = `usr_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    const entry = audited(c, "user.create", id, null, { email, roles: input.roles, markets: input.markets });
    const created = await withDatabase(c, (db) =>
      withAudit(
        db,
        entry,
        (tx) =>
          insertUser(tx, {
            id,
            email,
            passwordHash,
            roles: input.roles,
            markets: input.markets,
            totpSecret,
            locale: input.locale ?? null,
          }),
        Boolean,
      ),
    );
    if (!created) throw new ProblemError(409, { code: "user-exists", params: { email } });
    return c.json(
      { id, email, totp: totpSecret ? { secret: totpSecret, uri: otpauthUri("Equilibrium", email, totpSecret) } : null },
      201,
    );
  },
);

admin.openapi(
  createRoute({
    method: "delete",
    path: "/v1/admin/users/{userId}",
    summary: "Disable a user: no more sign-ins, and every token and open socket of theirs stops working",
    tags: ["admin"],
    request: { params: z.object({ userId: z.string().max(40) }) },
    responses: {
      200: { description: "Disabled", content: { "application/json": { schema: z.object({ disabled: z.literal(true) }) } } },
      404: problemDoc,
    },
  }),
  async (c) => {
    const { userId } = c.req.valid("param");
    const entry = audited(c, "user.disable", userId, null);
    const disabled = await withDatabase(c, (db) => withAudit(db, entry, (tx) => disableUser(tx, userId), Boolean));
    if (!disabled) throw new ProblemError(404, { code: "user-unknown", params: { user: userId } });
    await revokeSubject(c.env, userId);
    return c.json({ disabled: true as const }, 200);
  },
);

/** Every access token of a subject (or delegated by it) issued until now stops working. */
function revokeSubject(env: Env, subject: string): Promise<void> {
  const now = Date.now();
  return revoke(env, { kind: "subject", id: subject, issuedBefore: now, until: now + ACCESS_TOKEN_SECONDS * 1000 });
}
