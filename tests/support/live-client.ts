/** A WebSocket client that records every message and how it closed, as a rider app or a console would. */
export class LiveClient {
  readonly messages: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  /** Resolves with the close code and reason, whoever closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error(`could not open ${url.replace(/access_token=[^&]+/, "access_token=…")}`));
    });
    this.closed = new Promise((resolve) => {
      this.ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
    });
    this.ws.onmessage = (e) => {
      const text = String(e.data);
      this.raw.push(text);
      if (text.startsWith("{")) this.messages.push(JSON.parse(text));
      for (const w of this.#waiters.splice(0)) w();
    };
  }

  async next(match: (m: Record<string, unknown>) => boolean, ms = 5000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message within ${ms} ms; got ${JSON.stringify(this.messages)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** How the socket closed, or "still open" if it did not within `ms`. */
  async closedWithin(ms: number): Promise<{ code: number; reason: string } | "still open"> {
    return Promise.race([this.closed, new Promise<"still open">((r) => setTimeout(() => r("still open"), ms))]);
  }

  close() {
    this.ws.close();
  }
}
