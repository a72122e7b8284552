import { describe, expect, it } from 'vitest';
import { keystrokesOf, SHIFT_L } from './keystrokes';

const press = (keysym: number) => [
  { keysym, down: true },
  { keysym, down: false },
];
const shifted = (keysym: number) => [{ keysym: SHIFT_L, down: true }, ...press(keysym), { keysym: SHIFT_L, down: false }];
const code = (c: string) => c.codePointAt(0)!;

describe('keystrokesOf (issue 17: Type it lost Shift)', () => {
  it('wraps capitals, the underscore and the exclamation mark in Shift', () => {
    expect(keystrokesOf('Hello World_!')).toEqual([
      ...shifted(code('H')),
      ...'ello'.split('').flatMap((c) => press(code(c))),
      ...press(code(' ')),
      ...shifted(code('W')),
      ...'orld'.split('').flatMap((c) => press(code(c))),
      ...shifted(code('_')),
      ...shifted(code('!')),
    ]);
  });

  it('sends > with Shift and . without', () => {
    expect(keystrokesOf('> .')).toEqual([...shifted(0x3e), ...press(0x20), ...press(0x2e)]);
  });

  it('sends Enter and Tab as their function keysyms, without Shift', () => {
    expect(keystrokesOf('\t\n')).toEqual([...press(0xff09), ...press(0xff0d)]);
  });

  it('leaves Shift up at the end of any text', () => {
    const events = keystrokesOf('echo Hello World > f\n');
    const shift = events.filter((e) => e.keysym === SHIFT_L).map((e) => e.down);
    expect(shift).toEqual([true, false, true, false, true, false]);
  });
});
