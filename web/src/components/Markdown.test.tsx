import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Markdown, parseBlocks } from './Markdown';

afterEach(cleanup);

// The shape `skillvl experiment report` writes (src/SkillVL.Experiments/ReportWriter.cs).
const REPORT = `# Experiment report

4 runs in 2 cells (3 succeeded). Held fixed: disk 2GiB, **method skillvl**.

| cell | ram | runs ok | total s | error |
|---|---|---:|---:|---:|
| c1a2b3c4 | 256MiB | 2/2 | 12.5 ± 0.4 | +3 % |
| c5d6e7f8 | 512MiB | 1/2 | 20.1 | \`n/a\` |

Runs that did not succeed:

- c5d6e7f8-r2: failed: timed out
- c5d6e7f8-r3: failed

## Plots

![Total time vs RAM](plots/time-vs-ram.png) ([SVG](plots/time-vs-ram.svg))
`;

describe('Markdown', () => {
  it('renders the report: headings below the page title, the table with its alignment, lists, bold and code', () => {
    render(<Markdown text={REPORT} />);
    expect(screen.getByRole('heading', { level: 2, name: 'Experiment report' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 3, name: 'Plots' })).toBeTruthy();
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['cell', 'ram', 'runs ok', 'total s', 'error']);
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]).getAllByRole('cell').map((c) => c.textContent)).toEqual(['c1a2b3c4', '256MiB', '2/2', '12.5 ± 0.4', '+3 %']);
    expect(within(rows[1]).getAllByRole('cell')[3].style.textAlign).toBe('right');
    expect(within(rows[2]).getAllByRole('cell')[4].querySelector('code')?.textContent).toBe('n/a');
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['c5d6e7f8-r2: failed: timed out', 'c5d6e7f8-r3: failed']);
    expect(screen.getByText('method skillvl').tagName).toBe('STRONG');
    // Without an image renderer an image is its alt text; a relative link is its text, not an anchor.
    expect(document.querySelector('img')).toBeNull();
    expect(screen.getByText(/Total time vs RAM/)).toBeTruthy();
    expect(screen.queryByRole('link')).toBeNull();
  });

  it('never injects HTML: tags, handlers and javascript: links in a report stay text', () => {
    const hostile = [
      '<script>window.pwned = 1</script>',
      '',
      '<img src=x onerror="window.pwned = 2"> and <b>bold?</b>',
      '',
      '[click](javascript:alert(1)) [ok](https://example.org/paper)',
      '',
      '| <iframe src="https://evil"> |',
      '|---|',
      '| <svg onload=alert(1)> |',
    ].join('\n');
    const { container } = render(<Markdown text={hostile} />);
    expect(container.querySelector('script, img, iframe, svg, b')).toBeNull();
    expect(container.textContent).toContain('<script>window.pwned = 1</script>');
    expect(container.textContent).toContain('<img src=x onerror="window.pwned = 2">');
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.org/paper']);
    expect(links[0].getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.querySelector('a[href^="javascript"]')).toBeNull();
    expect(container.textContent).toContain('click');
    expect((window as unknown as { pwned?: number }).pwned).toBeUndefined();
  });

  it('hands images and links to the page, which decides how to show them', () => {
    render(
      <Markdown
        text={REPORT}
        image={(src, alt, key) => <img key={key} src={`blob:${src}`} alt={alt} />}
        link={(href, children, key) => <a key={key} href={`#${href}`}>{children}</a>}
      />,
    );
    expect(screen.getByRole('img', { name: 'Total time vs RAM' }).getAttribute('src')).toBe('blob:plots/time-vs-ram.png');
    expect(screen.getByRole('link', { name: 'SVG' }).getAttribute('href')).toBe('#plots/time-vs-ram.svg');
  });

  it('parses code fences, numbered lists, quotes and rules as blocks', () => {
    expect(parseBlocks('```\n| not | a table |\n```\n1. one\n2. two\n\n> a figure from\n> another day\n---\ntext')).toEqual([
      { kind: 'code', text: '| not | a table |' },
      { kind: 'list', ordered: true, items: ['one', 'two'] },
      { kind: 'quote', text: 'a figure from another day' },
      { kind: 'rule' },
      { kind: 'paragraph', text: 'text' },
    ]);
  });
});
