/** esinfer's version, from package.json (resolved at run time from dist/cli or lib/cli alike). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = require("../../package.json").version;
