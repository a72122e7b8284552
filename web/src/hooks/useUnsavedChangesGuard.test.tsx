import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { Link, MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useUnsavedChangesGuard } from './useUnsavedChangesGuard';

function Editor() {
  const [dirty, setDirty] = useState(false);
  useUnsavedChangesGuard(dirty, 'Leave and lose your changes?');
  return (
    <main>
      <button type="button" onClick={() => setDirty(true)}>
        Edit
      </button>
      <Link to="/elsewhere">Away</Link>
    </main>
  );
}

function renderEditor() {
  render(
    <MemoryRouter initialEntries={['/designer']}>
      <Routes>
        <Route path="/designer" element={<Editor />} />
        <Route path="/elsewhere" element={<p>elsewhere</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('useUnsavedChangesGuard (issue 17)', () => {
  it('lets a link through without asking while nothing is changed', () => {
    const confirm = vi.spyOn(window, 'confirm');
    renderEditor();
    fireEvent.click(screen.getByRole('link', { name: 'Away' }));
    expect(confirm).not.toHaveBeenCalled();
    expect(screen.getByText('elsewhere')).toBeTruthy();
  });

  it('keeps the page when the user cancels leaving with changes', () => {
    const confirm = vi.spyOn(window, 'confirm').mockReturnValue(false);
    renderEditor();
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.click(screen.getByRole('link', { name: 'Away' }));
    expect(confirm).toHaveBeenCalledWith('Leave and lose your changes?');
    expect(screen.queryByText('elsewhere')).toBeNull();
  });

  it('leaves when the user confirms', () => {
    vi.spyOn(window, 'confirm').mockReturnValue(true);
    renderEditor();
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.click(screen.getByRole('link', { name: 'Away' }));
    expect(screen.getByText('elsewhere')).toBeTruthy();
  });

  it('asks the browser before the tab closes with changes, and not without', async () => {
    renderEditor();
    const clean = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(clean);
    expect(clean.defaultPrevented).toBe(false);
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Edit' })));
    const dirty = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(dirty);
    expect(dirty.defaultPrevented).toBe(true);
  });
});
