/** `esinfer destroy`: deletes every endpoint the stack owns, with apply's guards (confirmation, endpoints in use). */
import type { Io } from "../io";
import { applyOrDestroy, type ApplyCommandOptions } from "./apply";

export async function run(io: Io, options: ApplyCommandOptions): Promise<number> {
  return applyOrDestroy(io, options, { destroy: true });
}
