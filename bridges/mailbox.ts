import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportPKCS8, generateKeyPair } from "jose";

/**
 * The dev mailbox: one local stand-in for every provider the notifications worker calls, so that
 * what the platform sends on this machine can be read instead of reaching anyone. The real
 * adapters make their real requests to it (their base URLs point here) and it answers as each
 * provider does: an email API in Resend's format, Twilio's Messages, FCM v1 with its OAuth token
 * exchange, APNs, Web Push endpoints and webhook receivers. Each message is kept, newest first,
 * as the person would read it (to whom, a title, a body) beside the provider's request.
 *
 * It listens on 127.0.0.1 only, and every path starts with the run's secret segment (as the
 * Neon bridge's do), so only what was given its URL can post or read.
 */

export type MailboxChannel = "email" | "sms" | "fcm" | "apns" | "webpush" | "webhook";

export interface MailboxMessage {
  id: number;
  at: string;
  channel: MailboxChannel;
  /** The recipient as the provider was told: an address, a number, a token, a URL path. */
  to: string;
  title: string;
  body: string;
  /** The provider's request as received (a body over 8 KB is cut). */
  request: { method: string; path: string; contentType: string; body: string };
}

export interface Mailbox {
  port: number;
  /** The base URL every provider's requests go to, secret segment included. */
  url: string;
  /** Newest first. */
  messages(): MailboxMessage[];
  /** A webhook target that lands in the mailbox. */
  webhookUrl(name: string): string;
  stop(): Promise<void>;
}

/** Messages kept at most: the oldest go first. */
const KEPT = 500;
const REQUEST_BYTES = 8 * 1024;

/** What the notifications worker needs to send through the mailbox: base URLs and stand-in credentials. */
export async function mailboxBindings(url: string): Promise<Record<string, string>> {
  const fcm = await generateKeyPair("RS256", { extractable: true });
  const apns = await generateKeyPair("ES256", { extractable: true });
  return {
    FCM_BASE_URL: url,
    APNS_BASE_URL: url,
    EMAIL_BASE_URL: url,
    SMS_BASE_URL: url,
    EMAIL_API_KEY: "re_dev_mailbox",
    SMS_ACCOUNT: "ACdevmailbox00000000000000000000:dev",
    SMS_FROM: "+15550100000",
    APNS_TOPIC: "com.equilibrium.dev",
    APNS_KEY: JSON.stringify({ teamId: "DEVTEAM123", keyId: "DEVKEY1234", privateKey: await exportPKCS8(apns.privateKey) }),
    FCM_SERVICE_ACCOUNT: JSON.stringify({
      project_id: "equilibrium-dev",
      client_email: "mailbox@equilibrium-dev.iam.gserviceaccount.com",
      private_key: await exportPKCS8(fcm.privateKey),
      token_uri: `${url}/token`,
    }),
  };
}

/**
 * Starts the mailbox on 127.0.0.1 (a free port unless `port` is given).
 *
 * @example const box = await startMailbox(); await fetch(`${box.url}/emails`, …); box.messages()[0].title
 */
export async function startMailbox(options: { port?: number; secret?: string } = {}): Promise<Mailbox> {
  const secret = options.secret ?? randomBytes(12).toString("hex");
  const kept: MailboxMessage[] = [];
  let next = 1;
  const keep = (req: IncomingMessage, path: string, text: string, m: Omit<MailboxMessage, "id" | "at" | "request">) => {
    kept.unshift({
      ...m,
      id: next++,
      at: new Date().toISOString(),
      request: {
        method: req.method ?? "",
        path,
        contentType: req.headers["content-type"] ?? "",
        body: text.length > REQUEST_BYTES ? `${text.slice(0, REQUEST_BYTES)}…` : text,
      },
    });
    kept.length = Math.min(kept.length, KEPT);
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://mailbox");
      const prefix = `/${secret}`;
      if (!url.pathname.startsWith(`${prefix}/`)) return send(res, 404, { error: "not found" });
      const path = url.pathname.slice(prefix.length);
      const bytes = await readBody(req);
      const text = bytes.toString("utf8");
      if (req.method === "GET" && path === "/messages") return send(res, 200, { messages: kept });
      if (req.method === "DELETE" && path === "/messages") {
        kept.length = 0;
        return send(res, 200, { messages: [] });
      }
      if (req.method !== "POST") return send(res, 405, { error: "method not allowed" });
      const json = () => JSON.parse(text) as Record<string, unknown>;
      if (path === "/emails") {
        const b = json() as { to?: string[]; subject?: string; text?: string };
        keep(req, path, text, { channel: "email", to: (b.to ?? []).join(", "), title: b.subject ?? "", body: b.text ?? "" });
        return send(res, 200, { id: `email-${next}` });
      }
      const sms = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\.json$/.exec(path);
      if (sms) {
        // A text message has no title: its one body is what the phone shows.
        const form = new URLSearchParams(text);
        keep(req, path, text, { channel: "sms", to: form.get("To") ?? "", title: "", body: form.get("Body") ?? "" });
        return send(res, 201, { sid: `SM${String(next).padStart(32, "0")}`, status: "queued" });
      }
      if (path === "/token") return send(res, 200, { access_token: `ya29.dev-${next}`, expires_in: 3600, token_type: "Bearer" });
      const fcm = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
      if (fcm) {
        const m = (json().message ?? {}) as { token?: string; notification?: { title?: string; body?: string } };
        keep(req, path, text, {
          channel: "fcm",
          to: m.token ?? "",
          title: m.notification?.title ?? "",
          body: m.notification?.body ?? "",
        });
        return send(res, 200, { name: `projects/${fcm[1]}/messages/${next}` });
      }
      const apns = /^\/3\/device\/([0-9a-fA-F]+)$/.exec(path);
      if (apns) {
        const alert = ((json().aps ?? {}) as { alert?: { title?: string; body?: string } }).alert ?? {};
        keep(req, path, text, { channel: "apns", to: apns[1] ?? "", title: alert.title ?? "", body: alert.body ?? "" });
        res.setHeader("apns-id", String(req.headers["apns-id"] ?? ""));
        return send(res, 200, {});
      }
      if (path.startsWith("/push/")) {
        // Encrypted for the browser (aes128gcm): its words are not readable here, only that it came.
        keep(req, path, text, { channel: "webpush", to: path.slice(6), title: "", body: `${bytes.length} encrypted bytes` });
        return send(res, 201, {});
      }
      if (path.startsWith("/webhooks/")) {
        const b = json() as { title?: string; body?: string };
        keep(req, path, text, { channel: "webhook", to: path.slice(10), title: b.title ?? "", body: b.body ?? "" });
        return send(res, 200, { received: true });
      }
      return send(res, 404, { error: "not a provider's path" });
    } catch (err) {
      return send(res, 400, { error: String(err).slice(0, 200) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/${secret}`;
  return {
    port,
    url,
    messages: () => [...kept],
    webhookUrl: (name) => `${url}/webhooks/${encodeURIComponent(name)}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
