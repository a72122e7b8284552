import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Viewers, ViewersMark } from './Viewers';

const teacher = { user: 'teach', kind: 'vnc', watchOnly: true, since: '2026-12-07T12:00:00Z' };
const admin = { user: 'admin', kind: 'serial', watchOnly: false, since: '2026-12-07T12:01:00Z' };

describe('who else is on a machine’s consoles (ADR 0050)', () => {
  it('tells the student who watches and who works', () => {
    render(<Viewers viewers={[teacher, admin]} />);
    const notice = screen.getByRole('status', { name: "Others on this machine's consoles" });
    expect(notice.textContent).toContain('teach is watching its screen (watch only)');
    expect(notice.textContent).toContain('admin has open its serial console');
  });

  it('shows nothing when no one else is there', () => {
    const { container } = render(<Viewers viewers={[]} />);
    expect(container.innerHTML).toBe('');
    const { container: none } = render(<ViewersMark viewers={null} />);
    expect(none.innerHTML).toBe('');
  });

  it('marks a table cell with the count and the names', () => {
    render(<ViewersMark viewers={[teacher]} />);
    expect(screen.getByLabelText('teach is watching its screen (watch only)').textContent).toContain('👁 1');
  });
});
