/** How the CLI prints errors the user can act on (lib/cli/problems.ts). */
import { reportError } from "../../lib/cli/problems";
import { cannotConnect } from "../../lib/cli/session";
import { UsageError } from "../../lib/cli/io";
import { SecretResolutionError } from "../../lib/model";
import { captureIo } from "../helpers/io";

test("a secret reference that does not resolve is one Error: line, exit 1", () => {
  const io = captureIo();
  expect(reportError(io, new SecretResolutionError("environment variable ES_API_KEY is not set"))).toBe(1);
  expect(io.err()).toBe("Error: environment variable ES_API_KEY is not set\n");
});

test("an unknown error is left to the caller (a bug: rethrown)", () => {
  const io = captureIo();
  expect(reportError(io, new TypeError("boom"))).toBeUndefined();
  expect(io.err()).toBe("");
});

test("cannotConnect names the stack when there is one, and passes usage errors through", () => {
  expect(cannotConnect(new Error("no URL"), "search").message).toBe(
    "cannot connect to the cluster of stack search: no URL",
  );
  expect(cannotConnect(new Error("no URL")).message).toBe("cannot connect to the cluster: no URL");
  const usage = new UsageError("already said");
  expect(cannotConnect(usage)).toBe(usage);
});
