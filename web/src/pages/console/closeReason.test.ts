import { describe, expect, it } from 'vitest';
import { closeMessage, POLICY_VIOLATION } from './closeReason';

describe('closeMessage (ADR 0046: an open console ends with its user access)', () => {
  it('shows the reason the Server gave, with what to do', () => {
    expect(closeMessage(POLICY_VIOLATION, 'account disabled', true)).toBe(
      'The Server closed the console: account disabled. Ask an admin to enable your account.',
    );
    expect(closeMessage(POLICY_VIOLATION, 'role changed', true)).toBe(
      'The Server closed the console: role changed. Reconnect to open it again with your new role.',
    );
    expect(closeMessage(POLICY_VIOLATION, 'machine deleted', false)).toContain('machine deleted');
  });

  it('shows an unknown reason as it came', () => {
    expect(closeMessage(POLICY_VIOLATION, 'maintenance', true)).toBe('The Server closed the console: maintenance.');
  });

  it('says nothing for a normal close and gives the code otherwise', () => {
    expect(closeMessage(1000, 'console closed', true)).toBe('');
    expect(closeMessage(1006, '', false)).toBe('The console closed (1006).');
  });
});
