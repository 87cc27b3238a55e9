/** `GET /`: the cluster info clients read the version from. */
import type { Route } from "./http-types";
import { ok } from "./http-types";

/** Lucene version shipped with each Elasticsearch minor (what `GET /` reports; approximate for main). */
function luceneVersion(major: number, minor: number): string {
  if (major === 8) return minor >= 18 ? "9.12.1" : "9.12.0";
  if (minor <= 0) return "10.1.0";
  if (minor <= 1) return "10.2.1";
  if (minor <= 2) return "10.2.2";
  return "10.3.1";
}

export const ROOT_ROUTES: readonly Route[] = [
  {
    method: "GET",
    pattern: [],
    run: ({ behavior, cluster }) => {
      const [major, minor] = behavior.version.split(".").map(Number) as [number, number];
      return ok({
        name: cluster.name,
        cluster_name: cluster.clusterName,
        cluster_uuid: cluster.clusterUuid,
        version: {
          number: behavior.version,
          build_flavor: "default",
          build_type: "docker",
          build_hash: "esinfer0emulator0000000000000000000000000",
          build_date: "2026-01-01T00:00:00.000Z",
          build_snapshot: false,
          lucene_version: luceneVersion(major, minor),
          minimum_wire_compatibility_version: major === 9 ? "8.19.0" : "7.17.0",
          minimum_index_compatibility_version: major === 9 ? "8.0.0" : "7.0.0",
        },
        tagline: "You Know, for Search",
      });
    },
  },
];
