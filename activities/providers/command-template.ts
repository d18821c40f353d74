/** Placeholders a command template may use; each expands inside one argument, never through a shell. */
export const COMMAND_PLACEHOLDERS = ['work_dir', 'prd', 'spec', 'feedback', 'bug_report', 'mission'] as const;
export type CommandPlaceholder = (typeof COMMAND_PLACEHOLDERS)[number];

/** A command template that cannot be used. */
export class CommandTemplateError extends Error {
  override readonly name = 'CommandTemplateError';
}

/**
 * Split a command template into arguments: a JSON array of strings, or a command line with single and double
 * quotes (backslash escapes inside double quotes and outside quotes). No variables, globs or pipes: it is never
 * given to a shell. Unknown `{placeholders}` are refused. `setting` names the variable in error messages.
 */
export function parseCommandTemplate(template: string, setting = 'AGENT_COMMAND'): string[] {
  const trimmed = template.trim();
  let argv: string[];
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new CommandTemplateError(`${setting} is not a valid JSON array: ${(err as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
      throw new CommandTemplateError(`${setting} as JSON must be an array of strings`);
    }
    argv = parsed;
  } else {
    argv = splitCommandLine(trimmed, setting);
  }
  if (argv.length === 0 || argv[0] === '') throw new CommandTemplateError(`${setting} names no command`);
  for (const arg of argv) {
    for (const match of arg.matchAll(/\{([a-z_]+)\}/g)) {
      if (!(COMMAND_PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
        throw new CommandTemplateError(`${setting} uses unknown placeholder {${match[1]}}; known: ${COMMAND_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
      }
    }
  }
  return argv;
}

/** Replace placeholders in every argument. */
export function expandCommand(argv: readonly string[], values: Record<CommandPlaceholder, string>): string[] {
  return argv.map((arg) => arg.replace(/\{([a-z_]+)\}/g, (whole, name: string) => (name in values ? values[name as CommandPlaceholder] : whole)));
}

function splitCommandLine(line: string, setting: string): string[] {
  const args: string[] = [];
  let current = '';
  let inArg = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else current += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) current += line[++i];
      else current += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inArg = true;
    } else if (char === '\\' && i + 1 < line.length) {
      current += line[++i];
      inArg = true;
    } else if (/\s/.test(char)) {
      if (inArg) args.push(current);
      current = '';
      inArg = false;
    } else {
      current += char;
      inArg = true;
    }
  }
  if (quote) throw new CommandTemplateError(`${setting} has an unterminated quote`);
  if (inArg) args.push(current);
  return args;
}
