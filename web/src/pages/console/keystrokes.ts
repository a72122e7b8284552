// What "Type it" sends through noVNC: a list of key presses and releases, Shift included.
//
// QEMU's VNC server turns a key event's keysym into the scancode of the key that carries it (its en-us keymap:
// 'H' and '>' are the keys of 'h' and '.' with Shift), but it does not press Shift itself: the guest's keyboard
// driver sees only the bare key. So a character typed with Shift on a US keyboard must come wrapped in a Shift
// press and release, as a person would type it (issue 17: "echo Hello World > f" arrived as "echo hello world . f").
// noVNC's RFB.sendKey(keysym, code, down) sends exactly one event when `down` is given.

/** One key event for RFB.sendKey(keysym, null, down). */
export interface KeyEvent {
  keysym: number;
  down: boolean;
}

/** X11 keysym of Shift_L (X11 keysymdef.h XK_Shift_L). */
export const SHIFT_L = 0xffe1;

// The characters a US keyboard types with Shift, besides A–Z.
const SHIFTED_SYMBOLS = '~!@#$%^&*()_+{}|:"<>?';

/** X11 keysyms of what "Type it" can send: Latin-1 characters are their own keysym; Enter and Tab are not. */
export function keysymOf(char: string): number | null {
  if (char === '\n') return 0xff0d;
  if (char === '\t') return 0xff09;
  const code = char.codePointAt(0)!;
  if (code >= 0x20 && code <= 0xff) return code;
  return code > 0xff ? 0x01000000 + code : null;
}

/** Whether a US keyboard needs Shift held for the character. */
export function needsShift(char: string): boolean {
  return (char >= 'A' && char <= 'Z') || SHIFTED_SYMBOLS.includes(char);
}

/** The key events that type `text`: each character pressed and released, inside Shift where it needs it. */
export function keystrokesOf(text: string): KeyEvent[] {
  const events: KeyEvent[] = [];
  for (const char of text) {
    const keysym = keysymOf(char);
    if (keysym === null) continue;
    const shift = needsShift(char);
    if (shift) events.push({ keysym: SHIFT_L, down: true });
    events.push({ keysym, down: true }, { keysym, down: false });
    if (shift) events.push({ keysym: SHIFT_L, down: false });
  }
  return events;
}
