/**
 * A small Markdown → HTML renderer for the project's own docs (docs/*.md), so the local stack can
 * show a runbook rendered and scrolled to its section (`/docs/OPERATIONS.md#runbook-…`).
 *
 * What it understands: ATX headings, fenced code blocks, paragraphs, `-`/`*`/`1.` lists,
 * `>` quotes, pipe tables, horizontal rules, and inline code, **bold**, *emphasis* and
 * [links](url). Anything else is shown as text. Safety: every piece of source text is
 * HTML-escaped before it is placed in the output, and link targets are limited to relative paths,
 * `#anchors`, http(s) and mailto — raw HTML in the source stays visible text, never markup.
 *
 * Heading ids follow GitHub's slugs (lower case, punctuation dropped, spaces → `-`, repeats get
 * `-1`, `-2`…), so the anchors the rules' runbook links use work here as they do on GitHub.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** GitHub's heading slug: the anchor `## Runbooks` gets (`runbooks`). */
export function headingSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Only targets that cannot run script: relative paths, anchors, http(s), mailto. */
function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return undefined;
  return trimmed;
}

/** `[label](target)` links, found by scanning (no backtracking regex over untrusted text). */
function renderLinks(escaped: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const open = escaped.indexOf('[', at);
    const close = open < 0 ? -1 : escaped.indexOf('](', open);
    const end = close < 0 ? -1 : escaped.indexOf(')', close);
    if (open < 0 || close < 0 || end < 0) return out + escaped.slice(at);
    const label = escaped.slice(open + 1, close);
    const target = escaped.slice(close + 2, end);
    if (label.includes('[') || label === '' || /\s/.test(target)) {
      out += escaped.slice(at, open + 1);
      at = open + 1;
      continue;
    }
    const href = safeHref(target.replace(/&amp;/g, '&'));
    out += escaped.slice(at, open) + (href === undefined ? label : `<a href="${escapeHtml(href)}">${label}</a>`);
    at = end + 1;
  }
}

/** Inline markup of one line of text. Code spans are cut out first so nothing inside them is markup. */
export function renderInline(text: string): string {
  const parts = text.split('`');
  // An odd number of backticks leaves the last one unpaired: it is text.
  if (parts.length % 2 === 0) parts.splice(parts.length - 2, 2, `${parts[parts.length - 2]!}\`${parts[parts.length - 1]!}`);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<code>${escapeHtml(part)}</code>`;
      let html = renderLinks(escapeHtml(part));
      html = html.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
      html = html.replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>');
      html = html.replace(/(^|[\s(])_([^_\s][^_]*)_(?=$|[\s).,;:])/g, '$1<em>$2</em>');
      return html;
    })
    .join('');
}

const cells = (line: string) => line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
/** `|---|:---:|` under a table's header row. */
const isTableSeparator = (line: string) => line.includes('-') && cells(line).every((c) => /^:?-{3,}:?$/.test(c));
const LIST_ITEM = /^\s*(?:[-*]|\d+\.)\s+/;

/** `## Title ##` → `Title`. */
function trimClosingHashes(text: string): string {
  let end = text.trimEnd().length;
  while (end > 0 && text[end - 1] === '#') end -= 1;
  return text.slice(0, end).trim();
}

/** The body HTML of a Markdown document (no <html> wrapper). */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  const slugs = new Map<string, number>();
  let i = 0;
  const uniqueSlug = (text: string) => {
    const base = headingSlug(text);
    const seen = slugs.get(base) ?? 0;
    slugs.set(base, seen + 1);
    return seen === 0 ? base : `${base}-${seen}`;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i += 1;
      while (i < lines.length && !lines[i]!.trim().startsWith(fence[1]!)) body.push(lines[i++]!);
      i += 1;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : '';
      out.push(`<pre><code${lang}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6}) (.*)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const text = trimClosingHashes(heading[2]!);
      const id = uniqueSlug(text.replace(/`/g, ''));
      out.push(`<h${level} id="${escapeHtml(id)}"><a class="anchor" href="#${escapeHtml(id)}" aria-hidden="true">#</a>${renderInline(text)}</h${level}>`);
      i += 1;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push('<hr>');
      i += 1;
      continue;
    }
    if (line.includes('|') && i + 1 < lines.length && isTableSeparator(lines[i + 1]!)) {
      const head = cells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.includes('|') && lines[i]!.trim() !== '') rows.push(cells(lines[i++]!));
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${renderInline(c)}</th>`).join('')}</tr></thead><tbody>` +
          rows.map((r) => `<tr>${r.map((c) => `<td>${renderInline(c)}</td>`).join('')}</tr>`).join('') +
          '</tbody></table>',
      );
      continue;
    }
    if (/^\s*>/.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i]!)) quoted.push(lines[i++]!.replace(/^\s*>\s?/, ''));
      out.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      while (i < lines.length && lines[i]!.trim() !== '') {
        const current = lines[i]!;
        if (LIST_ITEM.test(current)) items.push(current.replace(LIST_ITEM, ''));
        else if (items.length > 0) items[items.length - 1] += ` ${current.trim()}`;
        i += 1;
      }
      const tag = ordered ? 'ol' : 'ul';
      out.push(`<${tag}>${items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`);
      continue;
    }
    if (line.trim() === '') {
      i += 1;
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '' && !/^(#{1,6}\s|\s*```|\s*~~~|\s*>)/.test(lines[i]!) && !LIST_ITEM.test(lines[i]!)) paragraph.push(lines[i++]!.trim());
    out.push(`<p>${renderInline(paragraph.join(' '))}</p>`);
  }
  return out.join('\n');
}

const PAGE_STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:920px;margin:0 auto;padding:16px 24px 64px;line-height:1.5;color:#1f2328}
pre{background:#f6f8fa;padding:10px;overflow:auto;border-radius:6px}code{font-family:ui-monospace,monospace;font-size:90%}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left}
blockquote{margin:0;padding-left:12px;border-left:4px solid #d0d7de;color:#57606a}
h1,h2,h3,h4{scroll-margin-top:12px}a.anchor{margin-right:6px;color:#8c959f;text-decoration:none}
:target{background:#fff8c5;outline:4px solid #fff8c5}nav{font-size:14px;margin-bottom:8px}`;

/** A whole page: the rendered document with a way back to the dashboard. */
export function renderMarkdownPage(title: string, markdown: string): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><link rel="icon" href="/favicon.ico" type="image/svg+xml"><style>${PAGE_STYLE}</style></head>`,
    `<body><nav><a href="/admin/observability">← Dashboard</a> · <a href="?raw">Markdown source</a></nav>`,
    `<main>${renderMarkdown(markdown)}</main></body></html>`,
    '',
  ].join('\n');
}
