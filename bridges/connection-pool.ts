/** What a {@link ConnectionPool} hands out: it says whether it can serve another caller, and closes. */
export interface Poolable {
  /** False once the connection broke or was left in a state (open transaction...) another caller must not inherit. */
  readonly reusable: boolean;
  close(): void;
}

export interface ConnectionPoolOptions<C> {
  open: () => Promise<C>;
  /** Connections open at once, in use or idle. */
  max: number;
  /** An idle connection is closed after this long. */
  idleMillis: number;
}

/**
 * A small pool of exclusive leases: each caller gets a connection to itself for the duration of
 * `use`, which is what a transaction (Postgres) or a MULTI/EXEC (Redis) needs.
 *
 * @example const rows = await pool.use((conn) => conn.query("SELECT 1", []));
 */
export class ConnectionPool<C extends Poolable> {
  readonly #options: ConnectionPoolOptions<C>;
  readonly #all = new Set<C>();
  #idle: Array<{ conn: C; since: number }> = [];
  #opening = 0;
  #waiters: Array<{ resolve: (conn: C) => void; reject: (error: unknown) => void }> = [];
  #closed = false;
  readonly #sweeper: ReturnType<typeof setInterval>;

  constructor(options: ConnectionPoolOptions<C>) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.#sweep(), Math.max(1000, options.idleMillis / 2));
    // An idle pool must not keep the process alive.
    this.#sweeper.unref?.();
  }

  /** Runs `fn` with a connection of its own, then returns the connection to the pool (or closes it). */
  async use<T>(fn: (conn: C) => Promise<T>): Promise<T> {
    const conn = await this.#acquire();
    try {
      return await fn(conn);
    } finally {
      this.#release(conn);
    }
  }

  /** Connections currently open (idle or in use). */
  get size(): number {
    return this.#all.size;
  }

  /** Closes every connection, including those in use (their callers see the failure), and refuses new leases. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const conn of this.#all) conn.close();
    this.#all.clear();
    this.#idle = [];
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error("connection pool closed"));
  }

  #acquire(): Promise<C> {
    if (this.#closed) return Promise.reject(new Error("connection pool closed"));
    for (let entry = this.#idle.pop(); entry; entry = this.#idle.pop()) {
      if (entry.conn.reusable) return Promise.resolve(entry.conn);
      this.#discard(entry.conn);
    }
    if (this.#all.size + this.#opening < this.#options.max) return this.#open();
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  async #open(): Promise<C> {
    this.#opening++;
    let conn: C;
    try {
      conn = await this.#options.open();
    } catch (error) {
      this.#opening--;
      // The slot this attempt held is free again: a queued caller may take it.
      this.#openForWaiter();
      throw error;
    }
    this.#opening--;
    if (this.#closed) {
      conn.close();
      throw new Error("connection pool closed");
    }
    this.#all.add(conn);
    return conn;
  }

  #release(conn: C): void {
    if (this.#closed || !conn.reusable) {
      this.#discard(conn);
      this.#openForWaiter();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(conn);
    else this.#idle.push({ conn, since: Date.now() });
  }

  #discard(conn: C): void {
    this.#all.delete(conn);
    conn.close();
  }

  /** A slot was freed: the next waiter gets a fresh connection rather than waiting for a release that may never come. */
  #openForWaiter(): void {
    const waiter = this.#waiters.shift();
    if (!waiter || this.#closed) return;
    this.#open().then(waiter.resolve, waiter.reject);
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#options.idleMillis;
    const keep: Array<{ conn: C; since: number }> = [];
    for (const entry of this.#idle) {
      if (entry.since < cutoff || !entry.conn.reusable) this.#discard(entry.conn);
      else keep.push(entry);
    }
    this.#idle = keep;
  }
}
