/**
 * The `esinfer` command line. Start-up stays fast: `--version` answers before anything else loads, and each
 * command's module (with zod, undici or cdktf behind it) is required only when that command runs.
 */
import type { Command } from "commander";
import { processIo, UsageError, type Io } from "./io";

// Resolved at run time (not bundled by tsc), from dist/cli or lib/cli alike.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const VERSION: string = require("../../package.json").version;

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version")) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const { Command: CommandClass, CommanderError } = await import("commander");
  let exitCode = 0;
  const program = buildProgram(new CommandClass(), io, (code) => (exitCode = code));
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof UsageError) {
      io.stderr.write(`esinfer: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

function buildProgram(program: Command, io: Io, setExit: (code: number) => void): Command {
  /** Wires a command to a lazily loaded module exporting `run(io, options, ...args)`. */
  const lazy =
    (load: () => Promise<{ run: (io: Io, ...rest: any[]) => Promise<number> }>) =>
    async (...args: unknown[]) => {
      // commander passes the positional arguments, then the options, then the command itself
      const command = args[args.length - 1] as Command;
      const mod = await load();
      setExit(await mod.run(io, command.opts(), ...args.slice(0, -2)));
    };

  program
    .name("esinfer")
    .description("Elasticsearch inference endpoints as code: validate, plan, apply, emulate.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run esinfer --help for usage)");

  program
    .command("validate")
    .description("Validate endpoint declarations in Elasticsearch request shape (one endpoint or an array).")
    .argument("<file>", "JSON file, or - for stdin")
    .option("--es-version <version>", "also check that the target Elasticsearch version supports them")
    .option("--json", "print the result as JSON")
    .action(lazy(() => import("./commands/validate")));

  program
    .command("demo")
    .description("Validate the quickstart's endpoint declarations and print them in canonical form.")
    .action(lazy(() => import("./commands/demo")));

  return program;
}
