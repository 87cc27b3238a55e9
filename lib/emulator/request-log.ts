/**
 * A record of every request the emulator received, for tests and benchmarks: method, path, query, time, status,
 * duration. Bodies and header values are never recorded (they may carry secrets). Also counts requests in flight.
 */

export interface RequestRecord {
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
}

/** The request log of one emulator. */
export class RequestLog {
  private records: RequestRecord[] = [];
  private current = 0;
  private max = 0;
  private count = 0;

  /** Every request received since the last `clear()`, oldest first (optionally filtered). */
  list(filter: RequestFilter = {}): RequestRecord[] {
    return this.records.filter(
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
  }

  /** Requests in flight now, the most at once since the last clear, and the total since then. */
  stats(): ConcurrencyStats {
    return { inFlight: this.current, maxInFlight: this.max, total: this.count };
  }

  /** @internal a request started. */
  started(): void {
    this.current++;
    this.count++;
    if (this.current > this.max) this.max = this.current;
  }

  /** @internal a request finished (answered or dropped). */
  finished(record: RequestRecord): void {
    this.current--;
    this.records.push(record);
  }
}
