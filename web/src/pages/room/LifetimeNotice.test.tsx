import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { LifetimeNotice, untilText } from './LifetimeNotice';

const now = Date.parse('2026-12-07T12:00:00Z');

describe('a room’s lifetime (ADR 0058)', () => {
  afterEach(cleanup);

  it('says when the machines stop and the room goes, before it happens', () => {
    render(<LifetimeNotice stopsAt="2026-12-07T14:05:00Z" deletesAt="2026-12-14T14:05:00Z" now={now} />);
    const notice = screen.getByRole('status', { name: 'Room lifetime' });
    expect(notice.textContent).toContain('(in 2 h 5 min)');
    expect(notice.textContent).toContain('deleted at');
    expect(notice.textContent).toContain('(in 7 d 2 h)');
    expect(notice.className).toBe('muted');
  });

  it('says the lifetime ended and how to run the room again', () => {
    render(<LifetimeNotice stopsAt="2026-12-07T11:00:00Z" now={now} />);
    const notice = screen.getByRole('status', { name: 'Room lifetime' });
    expect(notice.textContent).toContain('lifetime ended');
    expect(notice.textContent).toContain('apply it with a longer lifetime');
    expect(notice.className).toBe('warning-box');
  });

  it('shows nothing for a room without a lifetime', () => {
    const { container } = render(<LifetimeNotice stopsAt={null} deletesAt={undefined} now={now} />);
    expect(container.innerHTML).toBe('');
  });

  it('counts down in the largest fitting units', () => {
    expect(untilText('2026-12-07T12:00:40Z', now)).toBe('in 40 s');
    expect(untilText('2026-12-07T12:10:00Z', now)).toBe('in 10 min');
    expect(untilText('2026-12-07T11:59:00Z', now)).toBe('passed');
  });
});
