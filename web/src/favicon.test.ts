// Issue 17 Deliver 6: the app has a favicon (the browser asked for /favicon.ico and got the SPA's index.html).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('favicon', () => {
  it('is linked from index.html and shipped from public/', () => {
    const html = readFileSync(join(web, 'index.html'), 'utf8');
    expect(html).toContain('<link rel="icon" type="image/svg+xml" href="/favicon.svg" />');
    expect(existsSync(join(web, 'public', 'favicon.svg'))).toBe(true);
    expect(readFileSync(join(web, 'public', 'favicon.svg'), 'utf8')).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});
