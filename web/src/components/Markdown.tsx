// A small Markdown renderer for experiment reports (ADR 0029): the subset `skillvl experiment report` writes —
// headings, paragraphs, GitHub tables, lists, code fences, quotes, rules, **bold**, *emphasis*, `code`, links and
// images. It builds React elements, never an HTML string: whatever a report holds (raw <script>, onerror=…, javascript:
// links) is text. A parser library (marked, markdown-it) would hand back HTML to inject; react-markdown with remark-gfm
// would be safe too but brings in the unified ecosystem (~100 packages) for a handful of constructs.
import { Fragment, type ReactNode } from 'react';

export interface MarkdownProps {
  text: string;
  /** Renders an image; the default shows its alt text only (the page knows how to fetch its own images). */
  image?: (src: string, alt: string, key: string) => ReactNode;
  /** Renders a link; the default links http(s) URLs only and shows any other target as text. */
  link?: (href: string, children: ReactNode, key: string) => ReactNode;
}

type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'quote'; text: string }
  | { kind: 'rule' }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'table'; header: string[]; align: ('left' | 'right' | 'center' | undefined)[]; rows: string[][] };

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d+[.)]\s+(.*)$/;
const RULE = /^\s*([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^\s*>\s?(.*)$/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** Splits a table row into its cells ("| a | b |" → ["a", "b"]); "\|" stays a bar inside a cell. */
function cells(line: string): string[] {
  const trimmed = line.trim().replace(/^\|/, '').replace(/(?<!\\)\|$/, '');
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

export function parseBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '') {
      i++;
    } else if (line.trim().startsWith('```')) {
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith('```'); i++) body.push(lines[i]);
      i++;
      blocks.push({ kind: 'code', text: body.join('\n') });
    } else if (RULE.test(line)) {
      blocks.push({ kind: 'rule' });
      i++;
    } else if (QUOTE.test(line)) {
      const body: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]); i++) body.push(QUOTE.exec(lines[i])![1].trim());
      blocks.push({ kind: 'quote', text: body.join(' ') });
    } else if (HEADING.test(line)) {
      const [, hashes, title] = HEADING.exec(line)!;
      blocks.push({ kind: 'heading', level: hashes.length, text: title });
      i++;
    } else if (line.includes('|') && i + 1 < lines.length && TABLE_SEPARATOR.test(lines[i + 1]) && lines[i + 1].includes('-')) {
      const header = cells(line);
      const align = cells(lines[i + 1]).map((c) =>
        c.startsWith(':') && c.endsWith(':') ? 'center' : c.endsWith(':') ? 'right' : c.startsWith(':') ? 'left' : undefined,
      );
      const rows: string[][] = [];
      for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim() !== ''; i++) rows.push(cells(lines[i]));
      blocks.push({ kind: 'table', header, align, rows });
    } else if (BULLET.test(line) || NUMBERED.test(line)) {
      const ordered = !BULLET.test(line);
      const pattern = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      for (; i < lines.length && pattern.test(lines[i]); i++) items.push(pattern.exec(lines[i])![1]);
      blocks.push({ kind: 'list', ordered, items });
    } else {
      const body: string[] = [];
      const ends = (l: string) => l.trim() === '' || HEADING.test(l) || l.trim().startsWith('```') || RULE.test(l) || QUOTE.test(l);
      for (; i < lines.length && !ends(lines[i]); i++) body.push(lines[i].trim());
      blocks.push({ kind: 'paragraph', text: body.join(' ') });
    }
  }
  return blocks;
}

// Inline constructs, the first match wins: `code`, ![image](src), [link](href), **bold**, *emphasis*.
const INLINE = /`([^`]+)`|!\[([^\]]*)\]\(([^)\s]+)\)|\[([^\]]+)\]\(([^)\s]+)\)|\*\*(.+?)\*\*|\*([^*\s][^*]*?)\*/;

export function defaultLink(href: string, children: ReactNode, key: string): ReactNode {
  return /^https?:\/\//i.test(href) ? (
    <a key={key} href={href} rel="noopener noreferrer" target="_blank">
      {children}
    </a>
  ) : (
    <Fragment key={key}>{children}</Fragment>
  );
}

function inline(text: string, props: MarkdownProps, prefix: string): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest.length > 0) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const key = `${prefix}.${n++}`;
    const [, code, alt, src, label, href, bold, emphasis] = m;
    if (code !== undefined) out.push(<code key={key}>{code}</code>);
    else if (src !== undefined) out.push(props.image ? props.image(src, alt, key) : <Fragment key={key}>{alt}</Fragment>);
    else if (href !== undefined) out.push((props.link ?? defaultLink)(href, inline(label, props, key), key));
    else if (bold !== undefined) out.push(<strong key={key}>{inline(bold, props, key)}</strong>);
    else out.push(<em key={key}>{inline(emphasis, props, key)}</em>);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

export function Markdown(props: MarkdownProps) {
  return (
    <div className="markdown">
      {parseBlocks(props.text).map((block, b) => {
        const key = String(b);
        switch (block.kind) {
          case 'heading': {
            const Tag = `h${Math.min(6, block.level + 1)}` as 'h2'; // the page has the h1
            return <Tag key={key}>{inline(block.text, props, key)}</Tag>;
          }
          case 'code':
            return (
              <pre key={key}>
                <code>{block.text}</code>
              </pre>
            );
          case 'quote':
            return <blockquote key={key}>{inline(block.text, props, key)}</blockquote>;
          case 'rule':
            return <hr key={key} />;
          case 'list': {
            const items = block.items.map((item, i) => <li key={i}>{inline(item, props, `${key}.${i}`)}</li>);
            return block.ordered ? <ol key={key}>{items}</ol> : <ul key={key}>{items}</ul>;
          }
          case 'table':
            return (
              <div key={key} className="table-scroll">
                <table>
                  <thead>
                    <tr>
                      {block.header.map((h, c) => (
                        <th key={c} scope="col" style={{ textAlign: block.align[c] }}>
                          {inline(h, props, `${key}.h${c}`)}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {block.rows.map((row, r) => (
                      <tr key={r}>
                        {row.map((cell, c) => (
                          <td key={c} style={{ textAlign: block.align[c] }}>
                            {inline(cell, props, `${key}.${r}.${c}`)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          default:
            return <p key={key}>{inline(block.text, props, key)}</p>;
        }
      })}
    </div>
  );
}
