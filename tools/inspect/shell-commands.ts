// The commands of metadata-shell over an image's virtual file system (./image-fs.ts): ls, cd, pwd,
// cat, tree, find, help, exit. Pure: one ShellSession keeps the working directory and writes
// through the two callbacks it is given, so the interactive prompt, --command and the tests all
// run the same code.
//
// A command line is split like a shell's: whitespace separates words, '…' and "…" quote, a
// backslash escapes the next character (not inside '…'). Failures print one error line such as
// `ls: /nope: no such file or directory` and make execute() return 'error'.
// With json, ls/find print a JSON array of names/paths, cat the value as JSON, tree a nested
// object, and errors {"error": "...", "exitCode": N} as the other commands' --json errors are
// (exitCode only where a failed command sets the run's exit code: --command runs, not the prompt).

import type { FsDir, FsNode, FsPath } from './image-fs.js';
import { formatPath, resolvePath } from './image-fs.js';
import { errorJson } from '../cli/common.js';
import { jsonText, prettyJson } from './json.js';

export interface ShellOutput {
  /** One line (or a block of lines) of output, without the trailing newline. */
  out(text: string): void;
  /** One error line, without the trailing newline. */
  err(text: string): void;
}

export type CommandOutcome = 'ok' | 'error' | 'exit';

export const SHELL_HELP = [
  'Commands (paths are absolute or relative, with . and ..):',
  '  ls [path...]                      list a directory',
  '  cd [path]                         change the working directory (default /)',
  '  pwd                               print the working directory',
  '  cat <path...>                     print a file',
  '  tree [path]                       print a directory and everything under it',
  '  find [path] [-name <glob>] [-type f|d]   print the paths under path (glob: * ? [...])',
  '  help                              this text',
  '  exit                              leave the shell',
].join('\n');

/** A command line that cannot be split (an unclosed quote, a trailing backslash). */
export class CommandSyntaxError extends Error {
  readonly code = 'COMMAND_SYNTAX';
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'CommandSyntaxError';
  }
}

/** Splits a command line into words (see the header). Throws CommandSyntaxError. */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new CommandSyntaxError('a backslash at the end of the line escapes nothing');
      word = (word ?? '') + line[++i]!;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote !== null) throw new CommandSyntaxError(`unclosed ${quote} quote`);
  if (word !== null) words.push(word);
  return words;
}

/** A glob (* ? [...]) as an anchored regular expression over one name. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
        re += body.startsWith('!') ? `[^${body.slice(1)}]` : `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export class ShellSession {
  private cwdPath: FsPath = [];

  constructor(
    private readonly root: FsDir,
    private readonly io: ShellOutput,
    private readonly json = false,
    /** The exit code a failed command gives the run (--command runs); undefined at the prompt. */
    private readonly errorExitCode?: number,
  ) {}

  get cwd(): string {
    return formatPath(this.cwdPath);
  }

  /** Runs one command line. */
  execute(line: string): CommandOutcome {
    let words: string[];
    try {
      words = tokenize(line);
    } catch (e) {
      if (!(e instanceof CommandSyntaxError)) throw e;
      return this.fail(`syntax error: ${e.message}`);
    }
    const [command, ...args] = words;
    switch (command) {
      case undefined:
        return 'ok';
      case 'ls':
        return this.ls(args);
      case 'cd':
        return this.cd(args);
      case 'pwd':
        this.io.out(this.json ? jsonText(this.cwd) : this.cwd);
        return 'ok';
      case 'cat':
        return this.cat(args);
      case 'tree':
        return this.tree(args);
      case 'find':
        return this.find(args);
      case 'help':
        this.io.out(this.json ? jsonText({ help: SHELL_HELP.split('\n') }) : SHELL_HELP);
        return 'ok';
      case 'exit':
      case 'quit':
        return 'exit';
      default:
        return this.fail(`${command}: unknown command (try help)`);
    }
  }

  /** Names a path can be completed to from a partial word (for the interactive prompt). */
  complete(partial: string): string[] {
    const cut = partial.lastIndexOf('/');
    const dirPart = cut < 0 ? '' : partial.slice(0, cut + 1);
    const prefix = partial.slice(cut + 1);
    const r = resolvePath(this.root, this.cwdPath, dirPart === '' ? '.' : dirPart);
    if (!r.ok || r.node.kind !== 'dir') return [];
    return [...r.node.children()]
      .filter(([name]) => name.startsWith(prefix))
      .map(([name, node]) => `${dirPart}${name}${node.kind === 'dir' ? '/' : ''}`);
  }

  private ls(args: string[]): CommandOutcome {
    const paths = args.length === 0 ? ['.'] : args;
    let outcome: CommandOutcome = 'ok';
    paths.forEach((path, i) => {
      const r = resolvePath(this.root, this.cwdPath, path);
      if (!r.ok) {
        outcome = this.fail(`ls: ${path}: ${r.reason}`);
        return;
      }
      const names = r.node.kind === 'dir' ? [...r.node.children().keys()] : [r.path[r.path.length - 1] ?? '/'];
      // One path: its names (an array). Several: one {path, names} per path, so that each list
      // stays tied to its path when another path fails.
      if (this.json) return this.io.out(jsonText(paths.length > 1 ? { path, names } : names));
      if (paths.length > 1) this.io.out(`${i > 0 ? '\n' : ''}${path}:`);
      if (names.length > 0) this.io.out(names.join('\n'));
    });
    return outcome;
  }

  private cd(args: string[]): CommandOutcome {
    if (args.length > 1) return this.fail('cd: too many arguments');
    const path = args[0] ?? '/';
    const r = resolvePath(this.root, this.cwdPath, path);
    if (!r.ok) return this.fail(`cd: ${path}: ${r.reason}`);
    if (r.node.kind !== 'dir') return this.fail(`cd: ${path}: not a directory`);
    this.cwdPath = r.path;
    return 'ok';
  }

  private cat(args: string[]): CommandOutcome {
    if (args.length === 0) return this.fail('cat: missing a path');
    let outcome: CommandOutcome = 'ok';
    for (const path of args) {
      const r = resolvePath(this.root, this.cwdPath, path);
      if (!r.ok) outcome = this.fail(`cat: ${path}: ${r.reason}`);
      else if (r.node.kind === 'dir') outcome = this.fail(`cat: ${path}: is a directory`);
      else this.io.out(this.json ? jsonText(r.node.value) : valueText(r.node.value, true));
    }
    return outcome;
  }

  private tree(args: string[]): CommandOutcome {
    if (args.length > 1) return this.fail('tree: too many arguments');
    const path = args[0] ?? '.';
    const r = resolvePath(this.root, this.cwdPath, path);
    if (!r.ok) return this.fail(`tree: ${path}: ${r.reason}`);
    if (this.json) {
      this.io.out(jsonText(treeValue(r.node)));
      return 'ok';
    }
    const name = formatPath(r.path);
    if (r.node.kind === 'file') {
      this.io.out(`${name}: ${valueText(r.node.value)}`);
      return 'ok';
    }
    const lines: string[] = [name];
    treeLines(r.node, '  ', lines);
    this.io.out(lines.join('\n'));
    return 'ok';
  }

  private find(args: string[]): CommandOutcome {
    let path: string | undefined;
    let name: RegExp | undefined;
    let type: 'f' | 'd' | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-name' || a === '-type') {
        const v = args[++i];
        if (v === undefined) return this.fail(`find: ${a} needs a value`);
        if (a === '-name') {
          try {
            name = globToRegExp(v);
          } catch (e) {
            // A character class the RegExp engine refuses ([z-a]): the command fails, the session goes on.
            if (!(e instanceof SyntaxError)) throw e;
            return this.fail(`find: bad pattern ${v}: ${e.message.replace(/^Invalid regular expression: \/.*\/\w*: /, '')}`);
          }
        } else if (v === 'f' || v === 'd') type = v;
        else return this.fail(`find: -type takes f or d, not ${v}`);
      } else if (a.startsWith('-')) {
        return this.fail(`find: unknown option ${a} (options: -name <glob>, -type f|d)`);
      } else if (path === undefined) {
        path = a;
      } else {
        return this.fail('find: only one starting path');
      }
    }
    const start = path ?? '.';
    const r = resolvePath(this.root, this.cwdPath, start);
    if (!r.ok) return this.fail(`find: ${start}: ${r.reason}`);
    const found: string[] = [];
    const visit = (node: FsNode, at: FsPath): void => {
      const base = at[at.length - 1];
      const nameOk = name === undefined || (base !== undefined && name.test(base));
      const typeOk = type === undefined || (type === 'd') === (node.kind === 'dir');
      if (nameOk && typeOk) found.push(formatPath(at));
      if (node.kind === 'dir') for (const [child, sub] of node.children()) visit(sub, [...at, child]);
    };
    visit(r.node, r.path);
    if (this.json) this.io.out(jsonText(found));
    else if (found.length > 0) this.io.out(found.join('\n'));
    return 'ok';
  }

  private fail(message: string): CommandOutcome {
    this.io.err(this.json ? errorJson(message, this.errorExitCode) : message);
    return 'error';
  }
}

/** A file's value as text: strings as they are, scalars printed, objects as JSON. */
function valueText(value: unknown, pretty = false): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return String(value);
  return pretty ? prettyJson(value) : jsonText(value);
}

function treeLines(node: FsDir, indent: string, lines: string[]): void {
  for (const [name, child] of node.children()) {
    if (child.kind === 'file') lines.push(`${indent}${name}: ${valueText(child.value)}`);
    else {
      lines.push(`${indent}${name}/`);
      treeLines(child, `${indent}  `, lines);
    }
  }
}

function treeValue(node: FsNode): unknown {
  if (node.kind === 'file') return node.value;
  return Object.fromEntries([...node.children()].map(([name, child]) => [name, treeValue(child)]));
}
