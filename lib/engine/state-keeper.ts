/**
 * The stack's state during an apply: changed in memory as operations finish, written to the store coalesced
 * (one write at a time, the latest state each time), and written at once when a write must be durable before a
 * request goes out (the intent to create an endpoint, so a crash right after the PUT still converges).
 *
 * Changes are made in place on the keeper's own copy (an apply of N endpoints makes N changes, and copying the whole
 * state for each made it quadratic); each write copies it once, in the store (see `StateStore.write`).
 */
import type { StackState, StateStore } from "./state/types";

/**
 * How long changes gather before they are written. What a crash loses of them the next run recovers: an endpoint
 * whose "creating" intent was written before its request is found, compared and recorded again. Each write costs
 * event-loop time that every request in flight waits for, so an apply of a thousand endpoints writes only at its
 * start (the intent) and at its end.
 */
export const DEFAULT_WRITE_DELAY_MS = 5000;

export class StateKeeper {
  readonly #state: StackState;
  /** Whether changes were made that no write has taken yet. */
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #scheduled: NodeJS.Timeout | undefined;
  #error: Error | undefined;
  writes = 0;

  constructor(
    private readonly store: StateStore,
    state: StackState,
    private readonly delayMs = DEFAULT_WRITE_DELAY_MS,
  ) {
    this.#state = cloneState(state);
  }

  /** The current state (read it; change it only through `update`). */
  get state(): StackState {
    return this.#state;
  }

  /** Changes the state in memory and schedules a coalesced write. */
  update(change: (state: StackState) => void): void {
    change(this.#state);
    this.#dirty = true;
    this.#scheduled ??= setTimeout(() => {
      this.#scheduled = undefined;
      void this.flush().catch(() => undefined); // the error is kept and rethrown by the next awaited flush
    }, this.delayMs);
  }

  /** Writes pending changes now and waits for every write so far. */
  async flush(): Promise<void> {
    if (this.#scheduled) {
      clearTimeout(this.#scheduled);
      this.#scheduled = undefined;
    }
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty || this.#error) return;
      // The store takes its own copy before it first yields: changes made while it works (which set #dirty
      // again) are left to the next write.
      this.#dirty = false;
      try {
        const written = await this.store.write(this.#state);
        // The state takes the serial the store gave.
        this.#state.serial = written.serial;
        this.writes++;
      } catch (e) {
        this.#dirty = true; // not written
        this.#error = e as Error;
      }
    });
    await this.#writing;
    if (this.#error) throw this.#error;
  }
}

/**
 * A deep copy of a state that keeps the stores' null-prototype maps (endpoints by id, fingerprints by path): ids
 * and paths are data, and `constructor` or `__proto__` must stay keys (structuredClone makes ordinary objects).
 */
function cloneState(state: StackState): StackState {
  const endpoints = Object.create(null) as StackState["endpoints"];
  for (const id of Object.keys(state.endpoints)) {
    const entry = state.endpoints[id]!;
    endpoints[id] = {
      ...entry,
      declared: structuredClone(entry.declared),
      secrets: Object.assign(Object.create(null) as Record<string, string>, entry.secrets),
    };
  }
  return { ...state, endpoints };
}
