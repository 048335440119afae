import { connect, type Socket } from "node:net";
import type { Poolable } from "./connection-pool";

/**
 * A minimal RESP2 client for redis-server: commands go out as arrays of bulk strings, replies
 * come back as {@link RespValue}s in order. Errors are values (a pipeline has one per command),
 * not exceptions; only a broken connection rejects.
 */

/** An error reply (`-ERR ...`), kept as a value so that one failed command does not hide the others. */
export class RespError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

/**
 * A reply: a simple string (`+OK`) is a `string`, a bulk string is a `Buffer` (it may be
 * binary), an integer a `number`, nil `null`.
 */
export type RespValue = string | Buffer | number | null | RespError | RespValue[];

const CRLF = Buffer.from("\r\n");

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "utf8") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

type Parsed = { value: RespValue; end: number } | { need: number };

/** Parses one reply at `offset`; when incomplete, says how many bytes are needed at least. */
function parseReply(buf: Buffer, offset: number): Parsed {
  const lineEnd = buf.indexOf(CRLF, offset + 1);
  if (lineEnd === -1) return { need: buf.length + 1 };
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const next = lineEnd + 2;
  switch (buf[offset]) {
    case 0x2b: // +
      return { value: line, end: next };
    case 0x2d: // -
      return { value: new RespError(line), end: next };
    case 0x3a: // :
      return { value: Number(line), end: next };
    case 0x24: {
      // $
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      const end = next + length + 2;
      if (end > buf.length) return { need: end };
      return { value: buf.subarray(next, next + length), end };
    }
    case 0x2a: {
      // *
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        if (at >= buf.length) return { need: at + 1 };
        const item = parseReply(buf, at);
        if ("need" in item) return item;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`unexpected RESP type byte ${buf[offset]}`);
  }
}

interface Pending {
  expected: number;
  replies: RespValue[];
  resolve: (replies: RespValue[]) => void;
  reject: (error: Error) => void;
}

/** One connection to redis-server. `send` writes a batch of commands at once and resolves with their replies. */
export class RespConnection implements Poolable {
  readonly #socket: Socket;
  readonly #pending: Pending[] = [];
  #chunks: Buffer[] = [];
  #size = 0;
  #need = 1;
  #failure: Error | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("error", (error) => this.#fail(error));
    socket.on("close", () => this.#fail(new Error("connection to Redis closed")));
  }

  /** Connects to redis-server; rejects if it cannot be reached within `timeoutMillis`. */
  static open(host: string, port: number, timeoutMillis = 5000): Promise<RespConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out connecting to Redis at ${host}:${port}`));
      }, timeoutMillis);
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RespConnection(socket));
      });
    });
  }

  get reusable(): boolean {
    return this.#failure === undefined && this.#pending.length === 0;
  }

  /** Writes all commands in one go (so nothing interleaves, e.g. inside MULTI/EXEC) and collects one reply each. */
  send(commands: ReadonlyArray<ReadonlyArray<string | Buffer>>): Promise<RespValue[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (commands.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.#pending.push({ expected: commands.length, replies: [], resolve, reject });
      this.#socket.write(Buffer.concat(commands.map(encodeCommand)));
    });
  }

  close(): void {
    this.#fail(new Error("connection closed by the bridge"));
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // A large bulk reply arrives in many chunks: join them once it is complete, not on every chunk.
    if (this.#size < this.#need) return;
    const buf = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks, this.#size);
    let offset = 0;
    let need = 1;
    try {
      while (offset < buf.length) {
        const parsed = parseReply(buf, offset);
        if ("need" in parsed) {
          need = parsed.need - offset;
          break;
        }
        offset = parsed.end;
        this.#deliver(parsed.value);
      }
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
      this.#socket.destroy();
      return;
    }
    const rest = buf.subarray(offset);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#size = rest.length;
    this.#need = need;
  }

  #deliver(value: RespValue): void {
    const head = this.#pending[0];
    if (!head) return;
    head.replies.push(value);
    if (head.replies.length === head.expected) {
      this.#pending.shift();
      head.resolve(head.replies);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.splice(0)) pending.reject(error);
  }
}
