/**
 * Field-level comparison of a declared endpoint with the live one. Both sides are normalized with the catalogue's
 * knowledge so that a re-plan right after an apply or an import shows nothing: secrets are compared by salted
 * fingerprint (the cluster never returns them), values the server computes are ignored unless declared, enums
 * compare case-insensitively, undeclared chunking accepts the server default of any era.
 */
import {
  DEFAULT_CHUNKING,
  LEGACY_DEFAULT_CHUNKING,
  getTaskSpec,
  infoOf,
  storedChunking,
  type ChunkingSettings,
} from "../catalogue";
import type { InferenceEndpoint } from "../client";
import { REDACTED, isSecretValue, jsonEqual, secretFields } from "../model";
import { secretReference } from "./secret-reference";
import { endpointDigest } from "./live-digest";
import { fieldOf, foldEnums, isPlainObject, settingsFacts, shapeOf } from "../model/schema-walk";
import type { FieldChange } from "./plan-types";
import type { OwnedEndpoint } from "./state/types";
import type { DeclaredEndpoint } from "./stack";
import { replaceReason, updateBlocker, type ChangeKind } from "./updatability";

/** Keys some servers return that no request can set. */
const ALWAYS_READ_ONLY = new Set(["dimensions_set_by_user"]);

export interface SecretCheck {
  /** Fingerprints of the declared secrets, by path (those that could be resolved). */
  readonly fingerprints: Readonly<Record<string, string>>;
  /** Secrets that could not be resolved, by path: the reason. */
  readonly unresolved: Readonly<Record<string, string>>;
}

export interface Comparison {
  readonly changes: FieldChange[];
  readonly warnings: string[];
}

const kindOf = (before: unknown, after: unknown): ChangeKind =>
  before === undefined ? "add" : after === undefined ? "remove" : "change";

/** Compares one declared endpoint with its live configuration (same id, service and task type). */
export function compareEndpoint(
  declared: Pick<DeclaredEndpoint, "canonical" | "chunkingDeclared">,
  live: InferenceEndpoint,
  owned: OwnedEndpoint | undefined,
  secrets: SecretCheck,
  version: string,
): Comparison {
  const { canonical } = declared;
  if (unchangedSinceApplied(declared, live, owned, secrets)) return { changes: [], warnings: [] };
  // An in-cluster endpoint no `_update` can reach (updateBlocker): every change replaces it.
  const blocked = updateBlocker(canonical, version);
  const spec = getTaskSpec(canonical.service, canonical.task_type)!;
  const shape = shapeOf(spec.serviceSettings) ?? {};
  const { computed } = settingsFacts(spec.serviceSettings);
  const lastApplied = owned?.declared as
    { service_settings?: Record<string, unknown>; task_settings?: Record<string, unknown> } | undefined;
  const changes: FieldChange[] = [];
  const warnings: string[] = [];
  const add = (path: string, before: unknown, after: unknown, sensitive = false) =>
    changes.push({
      path,
      ...(before !== undefined ? { before: sensitive ? REDACTED : before } : {}),
      ...(after !== undefined ? { after: sensitive ? REDACTED : after } : {}),
      sensitive,
      ...(sensitive && after !== undefined && isSecretValue(after) ? secretReference(after) : {}),
      ...withReason(
        replaceReason(canonical.service, canonical.task_type, path, kindOf(before, after), version) ?? blocked,
      ),
    });

  // service_settings: non-secret values
  const liveSS = foldEnums(spec.serviceSettings, live.service_settings ?? {}) as Record<string, unknown>;
  const declSS = canonical.service_settings as Record<string, unknown>;
  for (const key of union(Object.keys(declSS), Object.keys(liveSS))) {
    const facts = infoOf(fieldOf(shape, key));
    if (facts.secret) continue;
    const want = own(declSS, key);
    const have = own(liveSS, key);
    if (
      want === undefined &&
      !removedByUser(key, lastApplied?.service_settings) &&
      ignoredWhenUndeclared(key, shape, computed, spec.readOnly)
    )
      continue;
    diffValue(`service_settings.${key}`, have, want, add);
  }

  // service_settings: secrets, by fingerprint against the last applied ones
  const declaredSecrets = secretFields(canonical);
  for (const field of declaredSecrets) {
    const known = owned?.secrets[field.path];
    const now = secrets.fingerprints[field.path];
    if (now === undefined) {
      warnings.push(
        `${field.path}: rotation not checked: ${secrets.unresolved[field.path] ?? "the secret cannot be read here"}`,
      );
      continue;
    }
    if (known === undefined) {
      if (owned && lastAppliedHasSecret(lastApplied, field.path)) {
        warnings.push(
          `${field.path}: not verified (the endpoint was imported); the next apply that sends it records it`,
        );
        continue;
      }
      add(field.path, undefined, field.value, true);
    } else if (known !== now) add(field.path, field.value, field.value, true);
  }
  for (const path of Object.keys(owned?.secrets ?? {}))
    if (!declaredSecrets.some((f) => f.path === path)) add(path, "(sensitive)", undefined, true);

  // task_settings: only what was sent is returned, so every difference is real
  const liveTS = foldEnums(spec.taskSettings, live.task_settings ?? {}) as Record<string, unknown>;
  const declTS = canonical.task_settings as Record<string, unknown>;
  const taskShape = shapeOf(spec.taskSettings) ?? {};
  for (const key of union(Object.keys(declTS), Object.keys(liveTS))) {
    if (
      own(declTS, key) === undefined &&
      !removedByUser(key, lastApplied?.task_settings) &&
      infoOf(fieldOf(taskShape, key)).serverDefault !== undefined
    )
      continue;
    diffValue(`task_settings.${key}`, own(liveTS, key), own(declTS, key), add);
  }

  // chunking_settings
  if (spec.chunking) {
    const want = canonical.chunking_settings as ChunkingSettings;
    const have = normalizeChunking(live.chunking_settings);
    const acceptsAnyDefault =
      !declared.chunkingDeclared && (jsonEqual(have, DEFAULT_CHUNKING) || jsonEqual(have, LEGACY_DEFAULT_CHUNKING));
    if (!acceptsAnyDefault) diffValue("chunking_settings", have, want, add);
  }
  return { changes, warnings };
}

/**
 * Whether nothing changed since the last apply: the cluster still stores what it stored then (same digest), the
 * declaration is the one applied, and every secret has the fingerprint it had. Then that apply's comparison holds.
 */
function unchangedSinceApplied(
  declared: Pick<DeclaredEndpoint, "canonical">,
  live: InferenceEndpoint,
  owned: OwnedEndpoint | undefined,
  secrets: SecretCheck,
): boolean {
  if (owned?.status !== "applied" || owned.live === undefined || owned.live !== endpointDigest(live)) return false;
  const paths = Object.keys(secrets.fingerprints);
  if (Object.keys(secrets.unresolved).length > 0 || paths.length !== Object.keys(owned.secrets).length) return false;
  if (paths.some((p) => owned.secrets[p] !== secrets.fingerprints[p])) return false;
  return jsonEqual(owned.declared, declared.canonical);
}

/** Descends into plain objects so a change reads `service_settings.rate_limit.requests_per_minute`. */
function diffValue(
  path: string,
  have: unknown,
  want: unknown,
  add: (path: string, before: unknown, after: unknown) => void,
) {
  if (jsonEqual(have, want)) return;
  if (isPlainObject(have) && isPlainObject(want)) {
    for (const key of union(Object.keys(want), Object.keys(have)))
      diffValue(`${path}.${key}`, own(have, key), own(want, key), add);
    return;
  }
  add(path, have, want);
}

/** A live value nobody declared is ignored when the server fills it in or no request can set it. */
function ignoredWhenUndeclared(
  key: string,
  shape: Record<string, unknown>,
  computed: ReadonlySet<string>,
  readOnly: readonly string[],
): boolean {
  if (ALWAYS_READ_ONLY.has(key) || readOnly.includes(key)) return true;
  if (!Object.hasOwn(shape, key)) return true; // a newer server's field: not ours to judge
  return computed.has(key);
}

function removedByUser(key: string, lastApplied: Record<string, unknown> | undefined): boolean {
  return lastApplied !== undefined && Object.hasOwn(lastApplied, key);
}

function lastAppliedHasSecret(
  lastApplied: { service_settings?: Record<string, unknown> } | undefined,
  path: string,
): boolean {
  const [, key, name] = path.split(".");
  const settings = lastApplied?.service_settings;
  const value = settings ? own(settings, key!) : undefined;
  return name === undefined ? value !== undefined : isPlainObject(value) && Object.hasOwn(value, name);
}

/** Live chunking as stored, normalized like declared chunking (sentence_overlap default, separators). */
function normalizeChunking(raw: unknown): unknown {
  return isPlainObject(raw) && typeof raw.strategy === "string" ? storedChunking(raw as ChunkingSettings) : raw;
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
/** A value by key, own properties only: settings keys are data (`constructor` is a key like any other). */
const own = (o: Readonly<Record<string, unknown>>, key: string): unknown =>
  Object.hasOwn(o, key) ? o[key] : undefined;
const withReason = (reason: string | undefined) => (reason ? { forces_replace: reason } : {});
