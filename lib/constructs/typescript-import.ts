/** TypeScript construct code for imported endpoints (being written). */
import type { ImportedEndpoint } from "../engine";

export function importedToTypescript(_imported: readonly ImportedEndpoint[]): string {
  throw new Error("--format typescript is not available yet");
}
