#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm ci` / `npm run build` (the `prepare` script).
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
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`esinfer: ${error && error.stack ? error.stack : error}\n`);
    process.exitCode = 1;
  },
);
