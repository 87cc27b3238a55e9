/**
 * The stack's state during an apply: changed in memory as operations finish, written to the store coalesced
 * (one write at a time, the latest state each time), and written at once when a write must be durable before a
 * request goes out (the intent to create an endpoint, so a crash right after the PUT still converges).
 */
import type { StackState, StateStore } from "./state/types";

export class StateKeeper {
  #state: StackState;
  #dirty = false;
  #writing: Promise<void> = Promise.resolve();
  #scheduled: NodeJS.Timeout | undefined;
  #error: Error | undefined;
  writes = 0;

  constructor(
    private readonly store: StateStore,
    state: StackState,
    private readonly delayMs = 25,
  ) {
    this.#state = state;
  }

  get state(): StackState {
    return this.#state;
  }

  /** Changes the state in memory and schedules a coalesced write. */
  update(change: (state: StackState) => void): void {
    const next = structuredClone(this.#state);
    change(next);
    this.#state = next;
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
      this.#dirty = false;
      const snapshot = this.#state;
      try {
        const written = await this.store.write(snapshot);
        // Changes made while writing stay (and stay dirty); they only take the serial the store gave.
        this.#state = this.#state === snapshot ? written : { ...this.#state, serial: written.serial };
        this.writes++;
      } catch (e) {
        this.#error = e as Error;
      }
    });
    await this.#writing;
    if (this.#error) throw this.#error;
  }
}
