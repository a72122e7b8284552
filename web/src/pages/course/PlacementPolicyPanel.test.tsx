import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { PlacementPolicy } from '../../api/placement';
import { useFakeServer } from '../../testing/fakeServer';
import { PlacementPolicyPanel } from './PlacementPolicyPanel';

vi.mock('../../auth/session', () => ({ accessToken: async () => 'tok', refreshAccessToken: async () => null }));

const server = useFakeServer();
const URL = '/api/v1/placement/policies/course/net101';

const policy = (extra: Partial<PlacementPolicy> = {}): PlacementPolicy => ({
  scope: 'course', scopeId: 'c1', scopeName: 'net101', mode: 'suggest', hysteresisEvaluations: 3, minStaySeconds: null, maxMovesPerNode: null, maxMovesPerLink: null,
  windows: [], updatedAt: '2026-12-06T20:00:00Z', updatedBy: 'tina', ...extra,
});
const notFound = { status: 404, body: { title: 'Not found', status: 404, detail: "Placement policy of course 'net101'" } };

async function renderPanel(canEdit = true) {
  render(<PlacementPolicyPanel course="net101" canEdit={canEdit} />);
  await act(async () => {});
}

const field = (name: string | RegExp) => screen.getByLabelText(name) as HTMLInputElement;

describe('PlacementPolicyPanel', () => {
  it('shows the course policy and saves the mode and a quiet window as UTC, leaving empty fields out', async () => {
    server.answers['GET ' + URL] = [{ status: 200, body: policy() }];
    server.answers['PUT ' + URL] = [{ status: 200, body: policy({ mode: 'auto' }) }];
    await renderPanel();

    expect(screen.getByText(/Set by tina/)).toBeTruthy();
    expect(field('Mode').value).toBe('suggest');
    expect(field('Evaluations a move must persist').value).toBe('3');
    expect(field('Minimum stay after a move (seconds)').value).toBe('');

    fireEvent.change(field('Mode'), { target: { value: 'auto' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add a quiet window' }));
    fireEvent.change(field('From'), { target: { value: '2026-12-07T09:00' } });
    fireEvent.change(field('to'), { target: { value: '2026-12-07T11:30' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save placement policy' }));

    await waitFor(() => expect(screen.getByText('Placement policy saved.')).toBeTruthy(), { timeout: 10_000 });
    expect(server.calls.find((c) => c.key === 'PUT ' + URL)?.body).toEqual({
      mode: 'auto',
      hysteresisEvaluations: 3,
      minStaySeconds: null,
      windows: [{ from: new Date('2026-12-07T09:00').toISOString(), to: new Date('2026-12-07T11:30').toISOString() }],
    });
    // Saved, the panel reads the policy again (in the background: under load the read may come after the message).
    await waitFor(() => expect(server.count('GET ' + URL)).toBe(2));
  });

  it('no policy at the course: says so, offers no Remove; a 400 names the field', async () => {
    server.answers['GET ' + URL] = [notFound];
    server.answers['PUT ' + URL] = [{ status: 400, body: { title: 'The placement policy is not valid.', status: 400, errors: { 'windows[0]': ['never opens: its end is not after its start'] } } }];
    await renderPanel();

    expect(screen.getByText('No policy set for this course.')).toBeTruthy();
    expect(field('Mode').value).toBe('');
    expect(screen.queryByRole('button', { name: "Remove the course's policy" })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Save placement policy' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The placement policy is not valid. — windows[0]: never opens: its end is not after its start'), {
      timeout: 2000,
    });
  });

  it("Remove deletes the course's policy and reads it again; a window shows in local time and can be removed", async () => {
    server.answers['GET ' + URL] = [{ status: 200, body: policy({ windows: [{ from: '2026-12-07T08:00:00Z', to: '2026-12-07T10:00:00Z' }] }) }, notFound];
    server.answers['DELETE ' + URL] = [{ status: 204, body: null }];
    await renderPanel();

    const from = new Date('2026-12-07T08:00:00Z');
    expect(field('From').value).toBe(`${from.getFullYear()}-12-${String(from.getDate()).padStart(2, '0')}T${String(from.getHours()).padStart(2, '0')}:00`);
    fireEvent.click(screen.getByRole('button', { name: 'Remove window 1' }));
    expect(screen.queryByLabelText('From')).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: "Remove the course's policy" }));
    await waitFor(() => expect(screen.getByText('No policy set for this course.')).toBeTruthy(), { timeout: 10_000 });
    expect(server.count('DELETE ' + URL)).toBe(1);
    expect(screen.getByText('Placement policy removed: the global policy decides.')).toBeTruthy();
  });

  it('read-only when the caller may not edit: no Save, fields disabled', async () => {
    server.answers['GET ' + URL] = [{ status: 200, body: policy() }];
    await renderPanel(false);
    expect(field('Mode').disabled).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save placement policy' })).toBeNull();
  });
});
