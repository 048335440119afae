import { connect } from "node:net";

/**
 * One HTTP/1.1 request with its request target sent byte for byte as given: `fetch` would
 * normalise it first (dot segments, `%2e`, backslashes), and an attacker's client does not.
 */
export function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  const payload = body === undefined ? undefined : Buffer.from(body);
  const lines = [
    `${method} ${target} HTTP/1.1`,
    `host: ${hostname}:${port}`,
    "connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(payload ? [`content-length: ${payload.length}`] : []),
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error(`no answer to ${method} ${target}`)));
    socket.on("connect", () => {
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (payload) socket.write(payload);
    });
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...headerLines] = head.split("\r\n");
      const status = Number(statusLine.split(" ")[1]);
      if (!Number.isInteger(status)) {
        reject(new Error(`no HTTP answer to ${method} ${JSON.stringify(target)}: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const parsed = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(":")).trim().toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      const raw = rest.join("\r\n\r\n");
      resolve({ status, headers: parsed, body: parsed["transfer-encoding"] === "chunked" ? dechunk(raw) : raw });
    });
  });
}

function dechunk(text: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const eol = text.indexOf("\r\n", at);
    const size = Number.parseInt(text.slice(at, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** A WebSocket opened over a bare TCP connection: every frame the server sends is seen, the close frame included. */
export interface RawSocket {
  /** Text messages, in order. */
  messages: string[];
  /** The server's close frame: its code and reason (whether or not the TCP connection ends after it). */
  closeFrame: Promise<{ code: number; reason: string }>;
  /** The close frame, or "none" if the server sent none within `ms`. */
  closeFrameWithin(ms: number): Promise<{ code: number; reason: string } | "none">;
  send(text: string): void;
  end(): void;
}

/**
 * Opens a WebSocket by hand. A browser or Bun reports a close only once the TCP connection has
 * ended, which is the runtime's business; the close frame is what the platform decides.
 */
export function rawWebSocket(baseUrl: string, target: string): Promise<RawSocket> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    const messages: string[] = [];
    let onClose: (frame: { code: number; reason: string }) => void = () => undefined;
    const closeFrame = new Promise<{ code: number; reason: string }>((r) => {
      onClose = r;
    });
    const raw: RawSocket = {
      messages,
      closeFrame,
      closeFrameWithin: (ms) => Promise.race([closeFrame, new Promise<"none">((r) => setTimeout(() => r("none"), ms))]),
      send(text) {
        const payload = Buffer.from(text);
        const mask = Buffer.from([1, 2, 3, 4]);
        const header =
          payload.length < 126
            ? Buffer.from([0x81, 0x80 | payload.length])
            : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
        socket.write(Buffer.concat([header, mask, payload.map((b, i) => b ^ (mask[i % 4] as number))]));
      },
      end: () => socket.destroy(),
    };
    socket.on("connect", () =>
      socket.write(
        `GET ${target} HTTP/1.1\r\nhost: ${hostname}:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
          "sec-websocket-version: 13\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ),
    );
    socket.on("error", reject);
    socket.on("data", (data: Buffer) => {
      buffer = Buffer.concat([buffer, data]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const status = Number(buffer.subarray(0, end).toString("latin1").split(" ")[1]);
        if (status !== 101) {
          reject(new Error(`no upgrade for ${target}: ${status}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(raw);
      }
      for (;;) {
        if (buffer.length < 2) return;
        const opcode = (buffer[0] as number) & 15;
        let length = (buffer[1] as number) & 127;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) return;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) return;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) return;
        const payload = buffer.subarray(offset, offset + length);
        buffer = buffer.subarray(offset + length);
        if (opcode === 1) messages.push(payload.toString("utf8"));
        if (opcode === 8)
          onClose({ code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString("utf8") });
      }
    });
  });
}
