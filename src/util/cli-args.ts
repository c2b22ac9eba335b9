// Owns reading command-line arguments for Legwork's commands and harnesses: node:util parseArgs, strict (an unknown
// option is an error, never ignored), with its errors said in one short sentence that names the option or argument.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

/** The option a parseArgs message quotes first: `--dte` from "Option '--dte <value>' argument missing". */
const quoted = (message: string): string => /'(?:-\w, )?([^' ]+)/.exec(message)?.[1] ?? message;

/** Turns a parseArgs error into "unknown option --wide", "--dte needs a value", "unexpected argument \"QQQ\"". */
export function argsProblem(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted(message)}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted(message))}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted(message);
    if (/does not take an argument/.test(message)) return `${option} takes no value`;
    if (/ambiguous/.test(message))
      return `${option} needs a value (a value starting with a dash is written ${option}=VALUE)`;
    return `${option} needs a value`;
  }
  throw error;
}

/**
 * Parses `argv` against `options` (node:util parseArgs, strict; `--name value` and `--name=value` both work). With
 * `positionals: false` any operand is an error. Returns the problem as a string instead of throwing.
 */
export function readArgs<const O extends Options>(
  argv: readonly string[],
  options: O,
  opts: { positionals?: boolean } = {},
): Parsed<O> | string {
  try {
    return parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: opts.positionals ?? false,
    }) as Parsed<O>;
  } catch (error) {
    return argsProblem(error);
  }
}
