/**
 * Non-idempotent writes (a create, a conditional document write) are never blindly re-sent: when the outcome of an
 * attempt is unknown, the resource is read back first.
 */
import { ElasticsearchError } from "./errors";
import type { RetryBudget } from "./retry";
import { isAmbiguousFailure, type HttpMethod, type Transport, type TransportResponse } from "./transport";

/**
 * Sends a non-idempotent write without ever re-sending it blindly. On an ambiguous failure, `readBack` decides
 * whether the write landed (a value) or not (undefined → re-send, within one retry budget). On a re-send,
 * an error for which `treatAsLanded` holds means an earlier attempt landed; it is read back once more.
 */
export async function sendVerified<V>(
  transport: Transport,
  req: {
    method: HttpMethod;
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body: unknown;
    timeoutMs?: number;
    readBack: (budget: RetryBudget) => Promise<V | undefined>;
    treatAsLanded?: (e: unknown) => boolean;
  },
): Promise<{ recovered: true; value: V } | { recovered: false; response: TransportResponse }> {
  const budget = transport.createBudget();
  let resent = false;
  for (;;) {
    try {
      const response = await transport.request({
        method: req.method,
        path: req.path,
        ...(req.query ? { query: req.query } : {}),
        body: req.body,
        policy: "non-idempotent",
        budget,
        ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
      });
      return { recovered: false, response };
    } catch (e) {
      if (resent && req.treatAsLanded?.(e)) {
        const value = await req.readBack(budget.child());
        if (value !== undefined) return { recovered: true, value };
        throw e;
      }
      if (!isAmbiguousFailure(e)) throw e;
      transport.note(
        `~ ${req.method} ${req.path}: outcome unknown (${(e as Error).name}); reading it back before any re-send`,
      );
      const value = await req.readBack(budget.child());
      if (value !== undefined) {
        transport.note(`~ ${req.method} ${req.path}: the write had landed; not re-sent`);
        return { recovered: true, value };
      }
      const { method, path } = e as { method?: string; path?: string };
      const delay = await budget.wait(e as Error, method ?? req.method, path ?? req.path, retryHintOf(e));
      transport.note(`~ ${req.method} ${req.path}: the write had not landed; re-sending after ${delay} ms`);
      resent = true;
    }
  }
}

function retryHintOf(e: unknown): { retryAfterMs?: number } {
  return e instanceof ElasticsearchError && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {};
}
