const ts = require("typescript");

/**
 * The project's compiler options, for ts-jest to transpile each file on its own (isolatedModules): type errors are
 * found once, by `npm run typecheck` before the tests (the pretest script), instead of again by ts-jest in every
 * test file. That halves the suite's CPU time, which counts on a busy machine. Path mappings are left out: they only
 * matter to a type checker (moduleNameMapper below resolves "esinfer" at runtime).
 */
function transpileOptions() {
  const { config, error } = ts.readConfigFile(require.resolve("./tsconfig.json"), ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  const { paths: _paths, ...compilerOptions } = config.compilerOptions;
  return { ...compilerOptions, isolatedModules: true };
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: transpileOptions() }],
  },
  // Examples import the package by name, as a user's project does.
  moduleNameMapper: { "^esinfer$": "<rootDir>/lib/index.ts" },
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  // A timeout only bounds a hang; no test relies on it to pass. Sized for the slowest test on a shared 2-core
  // machine running two suites at once (a type-checking test once took over 30 s there). Tests that pack,
  // install or run Terraform set longer ones of their own.
  testTimeout: 120_000,
  // Report what takes long, to move it out of tests' timed bodies (into beforeAll) or into bench/.
  slowTestThreshold: 30,
};
