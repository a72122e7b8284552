// How the serial console's xterm.js terminal is set up.
import type { ITerminalOptions } from '@xterm/xterm';

/**
 * xterm.js 6 draws with its DOM renderer here (no WebGL addon): every row is a div of exactly one cell's height with
 * `overflow: hidden`, and at lineHeight 1 a cell is the measured glyph height, which for DejaVu Sans Mono (what
 * "monospace" is on Debian) ends above the underscore's stroke. The underscore was cut off by its own row: `valid_lft`
 * showed as `valid lft` (issue 17). Whether it clips depends on rounding at the size: in Debian's headless Chromium
 * 14 px clipped and 12 and 16 px did not. A row 20% taller leaves the stroke room at all three (1.1 was already
 * enough); the font is named so the metrics are the ones that were checked.
 */
export const serialTerminalOptions: ITerminalOptions = {
  convertEol: false,
  cursorBlink: true,
  fontFamily: "'DejaVu Sans Mono', 'Liberation Mono', ui-monospace, monospace",
  fontSize: 14,
  lineHeight: 1.2,
  scrollback: 5000,
};
