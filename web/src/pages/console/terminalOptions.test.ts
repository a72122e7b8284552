import { describe, expect, it } from 'vitest';
import { serialTerminalOptions } from './terminalOptions';

describe('serialTerminalOptions (issue 17: the serial console hid underscores)', () => {
  it('makes rows taller than the glyphs, so the DOM renderer does not clip the underscore', () => {
    expect(serialTerminalOptions.lineHeight).toBeGreaterThanOrEqual(1.1);
  });

  it('names the font whose metrics were checked first', () => {
    expect(serialTerminalOptions.fontFamily?.startsWith("'DejaVu Sans Mono'")).toBe(true);
  });
});
