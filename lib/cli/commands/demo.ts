/** `esinfer demo`: validates the quickstart's endpoint declarations and prints them in canonical form. */
import { join } from "node:path";
import { canonicalize, validateRequests } from "../../model";
import type { Io } from "../io";
import { readJson } from "../json-input";
import { run as validate } from "./validate";

export async function run(io: Io): Promise<number> {
  const file = join(__dirname, "..", "..", "..", "examples", "quickstart", "endpoints.json");
  const code = await validate(io, {}, file);
  if (code !== 0) return code;
  const { value } = await readJson(io, file);
  const { endpoints } = validateRequests(value as unknown[]);
  for (const endpoint of endpoints) io.stdout.write(`${JSON.stringify(canonicalize(endpoint), null, 2)}\n`);
  return 0;
}
