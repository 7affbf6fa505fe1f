import { parseArgs } from "node:util";
import { closestName, HlmError } from "@hlm/core";
import { COMMAND_NAMES, COMMANDS, type CommandName } from "./commandSpecs.js";

/** A command's parsed arguments: option values by name, and the positional arguments. */
export interface CommandLine {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * Parses a command's arguments against its options (commandSpecs.ts). A mistake is one sentence:
 * an unknown option names the nearest known one ("did you mean --formula?") or the command that has
 * it; an option that needs a value and has none, or a flag given a value, says so.
 */
export function parseCommandLine(command: CommandName, args: string[]): CommandLine {
  const spec = COMMANDS[command];
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple ?? false }]));
  // -h is --help, as in most commands
  const argv = args.map((a) => (a === "-h" ? "--help" : a));
  const { values, positionals, tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const o = spec.options[t.name];
    if (o === undefined) throw unknownOption(command, t.rawName);
    if (o.type === "string" && (t.value === undefined || isOptionName(t.value, t.inlineValue))) {
      throw new HlmError("OPTIONS", `${t.rawName} needs a value: ${t.rawName} ${o.value ?? "VALUE"} (see 'hlm ${command} --help').`);
    }
    if (o.type === "boolean" && t.inlineValue) throw new HlmError("OPTIONS", `${t.rawName} takes no value: give ${t.rawName} alone, not ${t.rawName}=${t.value}.`);
  }
  return { values: values as CommandLine["values"], positionals };
}

/** A value that is another of the options (`--formula --ml`): the value was left out. */
function isOptionName(value: string, inline: boolean | undefined): boolean {
  return !inline && /^--?[A-Za-z]/.test(value);
}

/** The error for an option the command does not have: the nearest option it has, or the commands that have it. */
function unknownOption(command: CommandName, raw: string): HlmError {
  const name = raw.replace(/^-+/, "");
  const near = closestName(name, Object.keys(COMMANDS[command].options));
  const others = COMMAND_NAMES.filter((c) => c !== command && name in COMMANDS[c].options);
  const hint =
    near !== undefined ? `did you mean --${near}?` : others.length > 0 ? `it is an option of ${others.map((c) => `hlm ${c}`).join(" and ")}.` : `'hlm ${command} --help' lists its options.`;
  return new HlmError("OPTIONS", `Unknown option ${raw} for hlm ${command}; ${hint}`);
}
