/**
 * A record of every request the emulator received, for tests and benchmarks: method, path, query, time, status,
 * duration. Bodies and header values are never recorded (they may carry secrets). Also counts requests in flight.
 */

export interface RequestRecord {
  /** Arrival order (1, 2, ...; not reset by `clear()`): `list()` sorts by it, not by when requests finished. */
  readonly seq: number;
  readonly method: string;
  /** Path without the query string, as received (percent-encoding kept). */
  readonly path: string;
  /** Query parameters (names and values). */
  readonly query: Readonly<Record<string, string>>;
  /** When the request arrived (ISO 8601). */
  readonly time: string;
  /** Status sent, or 0 when the connection was dropped. */
  readonly status: number;
  readonly durationMs: number;
  /** `dropped`: socket destroyed; `fault`: an injected error answered; `handled`: a normal answer. */
  readonly outcome: "handled" | "fault" | "dropped";
}

export interface RequestFilter {
  readonly method?: string;
  readonly path?: string | RegExp;
}

export interface ConcurrencyStats {
  readonly inFlight: number;
  readonly maxInFlight: number;
  readonly total: number;
  /** TCP connections accepted since the last clear (keep-alive clients reuse a few for many requests). */
  readonly connections: number;
}

/** The request log of one emulator. */
export class RequestLog {
  private records: RequestRecord[] = [];
  private current = 0;
  private max = 0;
  private count = 0;
  private arrivals = 0;
  private sockets = 0;

  /**
   * Every request received since the last `clear()`, in arrival order (optionally filtered). A request still in
   * flight (e.g. held by injected latency) is listed once it is answered or dropped.
   */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return [...this.records]
      .sort((a, b) => a.seq - b.seq)
      .filter(
        (r) =>
          (filter.method === undefined || r.method === filter.method.toUpperCase()) &&
          (filter.path === undefined ||
            (filter.path instanceof RegExp ? filter.path.test(r.path) : filter.path === r.path)),
      );
  }

  get length(): number {
    return this.records.length;
  }

  /** Forgets the records and resets the concurrency counters (requests in flight stay counted). */
  clear(): void {
    this.records = [];
    this.max = this.current;
    this.count = 0;
    this.sockets = 0;
  }

  /** Requests in flight now, the most at once and the total since the last clear, and connections accepted. */
  stats(): ConcurrencyStats {
    return { inFlight: this.current, maxInFlight: this.max, total: this.count, connections: this.sockets };
  }

  /** @internal a client opened a TCP connection. */
  connected(): void {
    this.sockets++;
  }

  /** @internal a request started; returns its arrival number. */
  started(): number {
    this.current++;
    this.count++;
    if (this.current > this.max) this.max = this.current;
    return ++this.arrivals;
  }

  /** @internal a request finished (answered or dropped). */
  finished(record: RequestRecord): void {
    this.current--;
    this.records.push(record);
  }
}
