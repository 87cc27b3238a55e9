/**
 * The `esinfer` command line. Start-up stays fast: `--version` answers before anything else loads, and each
 * command's module (with zod, undici or cdktf behind it) is required only when that command runs.
 */
import type { Command } from "commander";
import { processIo, type Io } from "./io";

import { VERSION } from "./version";

export { VERSION };

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
    await program.parseAsync(terraformSpellings(program, argv), { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // Every error of esinfer's own is reported in one place; what is left is a bug.
    const { reportError } = await import("./problems");
    const code = reportError(io, error);
    if (code === undefined) throw error;
    return code;
  }
}

/**
 * Terraform spells long options with one dash (`-auto-approve`, `-detailed-exitcode`, `-target=ID`); so may a user
 * of esinfer. A one-dash word of two letters or more that is not one of our short options becomes its two-dash form,
 * so commander accepts a known option and suggests one for a near miss ("Did you mean --auto-approve?"). Values
 * of options that take one (`--input -x`) and everything after `--` are left as they are.
 */
export function terraformSpellings(program: Command, argv: readonly string[]): string[] {
  const commands = [program, ...program.commands];
  const options = commands.flatMap((c) => c.options);
  const takesValue = new Set(
    options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short].filter(Boolean) as string[]),
  );
  const shorts = new Set(options.map((o) => o.short).filter(Boolean) as string[]);
  const out: string[] = [];
  let valueNext = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (valueNext) {
      out.push(arg);
      valueNext = false;
      continue;
    }
    const m = /^-([a-z][a-z0-9-]+)(=.*)?$/i.exec(arg);
    const name = m && !shorts.has(`-${m[1]!}`) ? `--${m[1]!}` : undefined;
    const normalized = name ? `${name}${m![2] ?? ""}` : arg;
    out.push(normalized);
    const flag = normalized.split("=")[0]!;
    valueNext = takesValue.has(flag) && !normalized.includes("=");
  }
  return out;
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
    .description(
      "Validate offline what esinfer reads: endpoint declarations in Elasticsearch request shape (one or an array), " +
        "a stack manifest, or the stacks synthesized in a cdktf.out directory. Exit 0 valid, 1 invalid, 2 unreadable.",
    )
    .argument("<input>", "a JSON file (declarations or a manifest), a cdktf.out directory, or - for stdin")
    .option("--es-version <version>", "also check that the target Elasticsearch version supports them")
    .option("--json", "print the result as JSON")
    .action(lazy(() => import("./commands/validate")));

  program
    .command("diff")
    .description(
      "Compare two stacks endpoint by endpoint (two manifests, or --stack A --stack B of the app): what one has that the other lacks, field by field.",
    )
    .argument("[manifests...]", "two JSON manifests, left then right")
    .option(
      "--stack <name>",
      "a synthesized stack of the app, left then right (give it twice)",
      collect,
      [] as string[],
    )
    .option("--no-synth", "read cdktf.out as it is, without running the app first")
    .option("--live", "compare what each stack's cluster holds for its endpoints, not the declarations")
    .option("--strip-prefix <prefix>", "pair ids less this prefix, e.g. staging- (repeatable)", collect, [] as string[])
    .option("--format <format>", "human, json or markdown (for pull-request comments)", "human")
    .option("--json", "print the diff as JSON (same as --format json)")
    .option("--detailed-exitcode", "exit 0 when the stacks are the same, 2 when they differ, 1 on error")
    .option("--verbose", "log every request to Elasticsearch (secrets redacted; with --live)")
    .action(lazy(() => import("./commands/diff")));

  /** Options every command that works on a stack shares. */
  const stackOptions = (command: Command) =>
    command
      .option("-f, --file <manifest>", "JSON manifest of the stack (default: the stacks synthesized into cdktf.out)")
      .option("--stack <name>", "which synthesized stack (when the app has several)")
      .option("--no-synth", "read cdktf.out as it is, without running the app first")
      .option("--verbose", "log every request to Elasticsearch (secrets redacted)");

  stackOptions(
    program
      .command("plan")
      .description(
        "Show what apply would change: per endpoint create, update in place, replace or delete, field by field.",
      ),
  )
    .option("--json", "print the plan as JSON (documented in docs/plan-json.md)")
    .option("--format <format>", "human, json or markdown (for pull-request comments)", "human")
    .option("--out <file>", "save the plan, to apply exactly it later with esinfer apply <file>")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are, 1 on error")
    .option("--destroy", "plan the deletion of everything the stack owns")
    .option(
      "--target <id>",
      "plan only this endpoint (repeatable); for exceptional cases, as Terraform's -target",
      collect,
      [] as string[],
    )
    .option("--parallelism <n>", "concurrent reference lookups", "8")
    .action(lazy(() => import("./commands/plan")));

  const applyOptions = (command: Command) =>
    stackOptions(command)
      .option("--auto-approve", "do not ask for confirmation")
      .option("--allow-in-use", "replace or delete endpoints that pipelines or indices use (sends force=true)")
      .option("--parallelism <n>", "endpoints worked on at once", "8")
      .option("--timeout <duration>", "server-side timeout of each create, e.g. 60s (Elasticsearch 8.19/9.1+)")
      .option("--lock-timeout <duration>", "wait this long for the stack's state lock (default: fail at once)")
      .option(
        "--target <id>",
        "work on this endpoint only (repeatable); for exceptional cases, as Terraform's -target",
        collect,
        [] as string[],
      )
      .option("--json", "print the outcome as JSON");

  applyOptions(program.command("apply").description("Carry out the plan (or a saved plan file) safely."))
    .argument("[plan]", "a plan saved with esinfer plan --out")
    .option("--verify", "run one inference against every endpoint created or changed")
    .action(lazy(() => import("./commands/apply")));

  applyOptions(program.command("destroy").description("Delete every endpoint the stack owns.")).action(
    lazy(() => import("./commands/destroy")),
  );

  stackOptions(
    program
      .command("import")
      .description("Adopt existing endpoints into the stack and print their declarations (secrets as references)."),
  )
    .argument("[ids...]", "inference ids to adopt")
    .option("--all", "adopt every endpoint no stack owns (preconfigured ones excepted)")
    .option("--from-stack <name>", "move the ownership of the named endpoints from that stack to this one")
    .option("--format <format>", "json (manifest endpoints) or typescript (InferenceEndpoint constructs)", "json")
    .option("--lock-timeout <duration>", "wait this long for the stack's state lock")
    .action(lazy(() => import("./commands/import")));

  program
    .command("test")
    .description("Perform one inference against an endpoint and check the result's shape.")
    .argument("<id>", "inference id")
    .option("-f, --file <manifest>", "take the cluster from this manifest (default: ELASTICSEARCH_URL and friends)")
    .option("--input <text>", "the text to send")
    .action(lazy(() => import("./commands/test")));

  stackOptions(
    program.command("force-unlock").description("Remove a state lock left by a crashed run.").argument("<lock-id>"),
  ).action(lazy(() => import("./commands/force-unlock")));

  stackOptions(
    program
      .command("state")
      .description(
        "What the stack owns: state list, state show ID, state rm ID... (forget without deleting: the endpoint stays, owned by no stack).",
      )
      .argument("<subcommand>", "list, show or rm")
      .argument("[ids...]", "inference ids (show: one; rm: one or more)"),
  )
    .option("--json", "print as JSON (list, show)")
    .option("--lock-timeout <duration>", "wait this long for the stack's state lock")
    .action(lazy(() => import("./commands/state")));

  program
    .command("emulator")
    .description(
      "Run the local emulator of the Elasticsearch inference management API (a test double, not Elasticsearch).",
    )
    .option("--port <port>", "port to listen on (0 picks a free one)", "9200")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--es-version <version>", "Elasticsearch version whose behavior to emulate (default: main)")
    .option("--api-key <key>", "require this API key (Authorization: ApiKey <key>)")
    .option("--latency-ms <ms>", "delay every response by this many milliseconds")
    .option("--data-dir <dir>", "keep state in this directory across restarts")
    .action(lazy(() => import("./commands/emulator")));

  program
    .command("tf", { hidden: true })
    .description(
      "Commands the synthesized Terraform resources run: apply (the stack's runner), destroy (its anchor, at " +
        "destroy), lookup (drift at synthesis); values from the environment.",
    )
    .argument("<hook>", "apply, destroy or lookup")
    .action(lazy(() => import("./commands/tf")));

  program
    .command("demo")
    .description(
      "Run the quickstart end to end: synthesize, plan, apply, change a setting in place (on the emulator unless ELASTICSEARCH_URL is set).",
    )
    .action(lazy(() => import("./commands/demo")));

  return program;
}

/** commander's accumulator for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
