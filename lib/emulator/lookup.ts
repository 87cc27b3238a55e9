/** Finding an endpoint by id: a user endpoint, or one of the emulated version's default endpoints. */
import { preconfiguredEndpoints } from "./defaults";
import type { Store, StoredEndpoint } from "./store";
import type { Behavior } from "./versions";

/** A user endpoint, or a default endpoint of this version, by id. */
export function lookupEndpoint(store: Store, behavior: Behavior, id: string): StoredEndpoint | undefined {
  const stored = store.endpoints.get(id);
  if (stored) return stored;
  const preset = preconfiguredEndpoints(behavior).find((e) => e.inference_id === id);
  return preset ? { ...preset, task_settings: preset.task_settings ?? {}, secrets: {} } : undefined;
}
