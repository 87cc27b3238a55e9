#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (the `dependencies` script) or `npm run build`; a
// published package ships dist/.
let cli;
try {
  cli = require("../dist/cli/main.js");
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && /dist[\\/]cli[\\/]main/.test(String(error.message))) {
    process.stderr.write("esinfer: not built yet; run `npm run build` (npm ci does it) in the esinfer package\n");
    process.exit(1);
  }
  throw error;
}
let settled = false;
// Nothing left to wait for while the command has not finished is a bug: never let it pass as success.
process.on("beforeExit", () => {
  if (settled) return;
  settled = true;
  process.stderr.write("esinfer: internal error: the command stopped before it finished\n");
  process.exitCode = 70;
});
cli.main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error) => {
    // Errors a user can cause are reported by main() itself; what reaches here is a bug (EXIT.internal).
    settled = true;
    process.stderr.write(
      `esinfer: internal error (a bug; please report it with this trace): ${error && error.stack ? error.stack : error}\n`,
    );
    process.exitCode = 70;
  },
);
