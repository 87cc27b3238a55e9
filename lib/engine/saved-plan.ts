/**
 * Saved plans (`esinfer plan --out FILE`, then `esinfer apply FILE`) are the artifact a GitOps pipeline reviews, so
 * they are tamper-evident: the file carries a MAC over its whole content, keyed by a secret derived from the salt
 * that lives only in the stack's state (never in the plan). Whoever can write the file between review and apply
 * cannot change what it does: an edited plan no longer verifies and is refused before anything is sent.
 *
 * Verification says the file is the one esinfer wrote; the apply also re-plans under the lock and requires every
 * action of the saved plan to still follow from the declarations and the cluster (see `compareWithFresh`).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { EXIT, EsinferError } from "../errors";
import { canonicalJson } from "../model";
import { PLAN_FORMAT_VERSION, type Plan } from "./plan-types";

/** The MAC field of a saved plan: `hmac-sha256:<hex>` over the canonical JSON of every other field. */
export const PLAN_MAC_FIELD = "mac";

/** A saved plan that cannot be trusted: unreadable, not a plan, or changed after it was made. Exit 2, nothing sent. */
export class SavedPlanError extends EsinferError {
  constructor(message: string) {
    super(message, { code: "ESINFER_SAVED_PLAN", exitCode: EXIT.changes });
  }
}

/** The key of saved-plan MACs: derived from the state's fingerprint salt, so it never needs storing elsewhere. */
function macKey(salt: string): Buffer {
  return createHmac("sha256", salt).update("esinfer saved-plan MAC v1").digest();
}

function macOf(content: unknown, salt: string): string {
  return `hmac-sha256:${createHmac("sha256", macKey(salt)).update(canonicalJson(content)).digest("hex")}`;
}

/** The saved form of a plan: the plan's JSON document with its MAC. */
export function sealPlan(plan: Plan, salt: string): Record<string, unknown> {
  const content = JSON.parse(JSON.stringify(plan)) as Record<string, unknown>;
  return { ...content, [PLAN_MAC_FIELD]: macOf(content, salt) };
}

/**
 * The plan of a saved file's parsed JSON, after checking its shape and its MAC against the salt of the stack's
 * state. Throws {@link SavedPlanError} (naming `file`) when either fails.
 */
export function openSealedPlan(raw: unknown, salt: string, file: string): Plan {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw new SavedPlanError(`${file} is not an esinfer plan; make one with esinfer plan --out ${file}`);
  const { [PLAN_MAC_FIELD]: mac, ...content } = raw as Record<string, unknown>;
  const plan = content as unknown as Plan;
  if (plan.format_version !== PLAN_FORMAT_VERSION || !Array.isArray(plan.endpoints) || !plan.basis)
    throw new SavedPlanError(
      `${file} is not an esinfer plan (format_version ${PLAN_FORMAT_VERSION}); make one with esinfer plan --out ${file}`,
    );
  if (typeof mac !== "string")
    throw new SavedPlanError(
      `${file} carries no MAC: it was not saved by this version of esinfer (or the MAC was removed); make it again with esinfer plan --out ${file}`,
    );
  const expected = Buffer.from(macOf(content, salt));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw new SavedPlanError(
      `${file} was changed after it was made (its MAC does not verify against the state of stack ` +
        `${String(plan.stack)}), or it was made against another state: nothing was sent. Review and save the plan ` +
        `again with esinfer plan --out ${file}`,
    );
  return plan;
}

/**
 * Why the saved plan's actions no longer follow from the fresh plan made now (declarations and cluster as they
 * are), or undefined when every endpoint has the same action, declaration and changes. Secret fingerprints the
 * saved plan could not take (its secrets were not set where it was made) are not compared: the apply resolves them.
 */
export function compareWithFresh(saved: Plan, fresh: Plan): string | undefined {
  const key = (p: Plan) => new Map(p.endpoints.map((e) => [e.inference_id, e]));
  const now = key(fresh);
  const then = key(saved);
  for (const [id, e] of then) {
    const f = now.get(id);
    if (!f) return `${id} was planned as ${e.action}, and is no longer part of the plan`;
    if (f.action !== e.action) return `${id} was planned as ${e.action}, it would now be ${f.action}`;
    const strip = (x: typeof e) => ({ ...x, secret_fingerprints: undefined, warnings: undefined });
    if (canonicalJson(strip(f)) !== canonicalJson(strip(e)))
      return `${id} (${e.action}) no longer has the same declaration or changes`;
  }
  for (const [id, f] of now)
    if (!then.has(id) && f.action !== "no-op")
      return `${id} would now be ${f.action}, which the saved plan does not do`;
  return undefined;
}
