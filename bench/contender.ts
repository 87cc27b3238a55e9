/** What every contender implements, and the job a measured child process runs. */
import type { Declaration } from "./declarations";

export const CONTENDERS = ["esinfer", "naive", "terraform", "floor"] as const;
export type ContenderName = (typeof CONTENDERS)[number];
export const LABEL: Readonly<Record<ContenderName, string>> = {
  esinfer: "esinfer",
  naive: "(a) naive script",
  terraform: "(b) Terraform model",
  floor: "bare HTTP (reference)",
};
export type Operation = "plan" | "apply";

export interface Job {
  readonly contender: ContenderName;
  /**
   * `idle`: load the contender's modules and do nothing (the process's memory floor). `seed`: esinfer only,
   * setup of a big stack (records the endpoints the runner put into the emulator as applied).
   */
  readonly operation: Operation | "idle" | "seed";
  readonly n: number;
  /** The emulator's base URL. */
  readonly url: string;
  /** A directory of this contender's own (esinfer keeps its state file there). */
  readonly workDir: string;
}

export interface ScenarioContext {
  readonly url: string;
  readonly workDir: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface Contender {
  /**
   * Reads the cluster and works out what to change (against a cluster where every endpoint already exists as
   * declared). The runner checks the outcome: every endpoint must be found as declared.
   */
  plan(declarations: readonly Declaration[], ctx: ScenarioContext): Promise<Outcome>;
  /** Creates every declared endpoint (in an empty cluster). */
  apply(declarations: readonly Declaration[], ctx: ScenarioContext): Promise<Outcome>;
}

export interface Outcome {
  /** Endpoints found already as declared (plan) or created (apply). */
  readonly endpoints: number;
  /** Plan only, where the contender tells: endpoints it would create. */
  readonly toCreate?: number;
  readonly summary: string;
}

/** What a measured child reports on its last line of standard output. */
export interface Measurement {
  readonly wallMs: number;
  /** CPU time (user + system) the child spent on the operation, ms. */
  readonly cpuMs: number;
  /** Peak resident set size of the child process, kB (`process.resourceUsage().maxRSS`). */
  readonly maxRssKb: number;
  readonly outcome?: Outcome;
}

/** Runs `task` over `items` with at most `limit` in flight (a worker pool, as Terraform's graph walker has). */
export async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
