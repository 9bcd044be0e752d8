import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** One shell command shown in the documentation, where it is shown. */
export interface DocCommand {
  /** The command as a reader would type it: continuation lines joined, trailing comments dropped. */
  readonly text: string;
  /** `README.md:131` — file relative to the repository, and the line the command starts on. */
  readonly where: string;
  /** A fenced ```bash/```sh/```console/```shell block, or an inline code span in prose. */
  readonly from: 'block' | 'inline';
}

/** Fenced blocks whose lines are shell commands (```console: only the lines after a `$ ` prompt). */
const SHELL_FENCES = new Set(['bash', 'sh', 'shell', 'console', 'zsh']);

/**
 * Inline code spans that are commands rather than names of commands: they start with `npx` or
 * `npm`, or with environment assignments (`OBS_WAREHOUSE=bigquery npx obs …`). A bare `obs slo
 * status` in prose names a command (it is not on PATH as written), like `firebase emulators:start`.
 */
const INLINE_COMMAND = /^(?:[A-Z][A-Z0-9_]*=\S*\s+)*(?:npx|npm)\s|^(?:[A-Z][A-Z0-9_]*=\S*\s+)+\S/;

/** README.md and every docs/*.md, in that order. */
export function documentationFiles(repo: string): string[] {
  const docs = readdirSync(join(repo, 'docs')).filter((f) => f.endsWith('.md')).sort();
  return ['README.md', ...docs.map((f) => `docs/${f}`)];
}

/** Every command in the documentation of `repo`, in reading order. */
export function documentedCommands(repo: string): DocCommand[] {
  return documentationFiles(repo).flatMap((file) => commandsIn(file, readFileSync(join(repo, file), 'utf8')));
}

/** The commands in one markdown file: shell blocks first-class, inline spans by INLINE_COMMAND. */
export function commandsIn(file: string, markdown: string): DocCommand[] {
  const lines = markdown.split('\n');
  const found: DocCommand[] = [];
  let fence: { lang: string; marker: string; body: Array<{ line: number; text: string }> } | undefined;
  let prose: Array<{ line: number; text: string }> = [];
  const flushProse = () => {
    found.push(...inlineCommands(file, prose));
    prose = [];
  };
  lines.forEach((text, index) => {
    const line = index + 1;
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (fence) {
      if (opening && opening[1]!.startsWith(fence.marker) && opening[2] === '') {
        if (SHELL_FENCES.has(fence.lang)) found.push(...blockCommands(file, fence.lang, fence.body));
        fence = undefined;
      } else fence.body.push({ line, text });
      return;
    }
    if (opening) {
      flushProse();
      fence = { lang: opening[2]!.toLowerCase(), marker: opening[1]!, body: [] };
      return;
    }
    prose.push({ line, text });
  });
  flushProse();
  return found;
}

function blockCommands(file: string, lang: string, body: Array<{ line: number; text: string }>): DocCommand[] {
  const commands: DocCommand[] = [];
  let pending: { line: number; parts: string[]; depth: number } | undefined;
  for (const { line, text } of body) {
    let source = text;
    if (lang === 'console' && !pending) {
      const prompt = /^\s*\$ (.*)$/.exec(text);
      if (!prompt) continue; // output
      source = prompt[1]!;
    }
    const stripped = stripComment(source).trim();
    if (stripped === '') continue;
    const continued = stripped.endsWith('\\');
    const part = continued ? stripped.slice(0, -1).trimEnd() : stripped;
    pending ??= { line, parts: [], depth: 0 };
    pending.parts.push(part);
    // `for … do` / `if … then` run to their `done` / `fi`: one command.
    pending.depth += (/(?:^|[\s;])(?:do|then)$/.test(part) ? 1 : 0) - (/^(?:done|fi)\b/.test(part) ? 1 : 0);
    if (!continued && pending.depth <= 0) {
      commands.push({ text: joinParts(pending.parts), where: `${file}:${pending.line}`, from: 'block' });
      pending = undefined;
    }
  }
  if (pending) commands.push({ text: joinParts(pending.parts), where: `${file}:${pending.line}`, from: 'block' });
  return commands;
}

/** Continuation lines join with a space; the body of a `for … do` joins with `; ` as bash reads it. */
function joinParts(parts: string[]): string {
  return parts.reduce((text, part) => (text === '' ? part : /(?:^|[\s;])(?:do|then)$/.test(text) || /^(?:done|fi)\b/.test(part) ? `${text}${/(?:do|then)$/.test(text) ? ' ' : '; '}${part}` : `${text} ${part}`), '');
}

/** Drops a trailing `# comment` that is outside quotes (a `#` inside a word, like `a#b`, stays). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

function inlineCommands(file: string, prose: Array<{ line: number; text: string }>): DocCommand[] {
  const commands: DocCommand[] = [];
  // A code span may wrap onto the next line of its paragraph.
  const text = prose.map((p) => p.text).join('\n');
  const starts = prose.map((p) => p.line);
  let offset = 0;
  const lineAt = (index: number) => {
    let newlines = 0;
    for (let i = 0; i < index; i++) if (text[i] === '\n') newlines++;
    return starts[newlines] ?? 0;
  };
  for (const match of text.matchAll(/`([^`]+)`/g)) {
    offset = match.index;
    const span = match[1]!.split('\n').map((part) => part.trim()).join(' ').replace(/\\\|/g, '|').trim();
    if (INLINE_COMMAND.test(span)) commands.push({ text: span, where: `${file}:${lineAt(offset)}`, from: 'inline' });
  }
  return commands;
}
