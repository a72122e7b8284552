// What a console page says when its WebSocket closes. The Server ends an open console when its user's access changes
// or its machine goes (ADR 0046): it closes with 1008 (policy violation) and a short reason, which the page shows.

/** WebSocket close code 1008 (RFC 6455 §7.4.1): the Server ended the session by policy. */
export const POLICY_VIOLATION = 1008;

// What the user can do about each reason the Server gives (ConsoleSessions on the Server).
const HINTS: Record<string, string> = {
  'account disabled': 'Ask an admin to enable your account.',
  'account deleted': 'Your account no longer exists.',
  'role changed': 'Reconnect to open it again with your new role.',
  'machine deleted': 'The machine no longer exists.',
  'machine rebuilt': 'The machine was reset or rebuilt; connecting to the new one when it runs…',
};

/** The message for a closed console, or '' when it closed normally (the user's own close, code 1000). */
export function closeMessage(code: number, reason: string, wasClean: boolean): string {
  if (code === POLICY_VIOLATION && reason) {
    const hint = HINTS[reason];
    return `The Server closed the console: ${reason}.${hint ? ` ${hint}` : ''}`;
  }

  if (wasClean && code === 1000) return '';
  return `The console closed (${code}${reason ? `: ${reason}` : ''}).`;
}
