// Writes a brotli (.br) and a gzip (.gz) copy beside each JavaScript and CSS file of the build (dist/assets), at
// the best compression, once per build. The Server sends them to browsers that accept the encoding
// (src/SkillVL.Server/Hosting/PrecompressedAssets.cs), so no request pays for compressing the bundle.
// Usage: node precompress.mjs DIST_DIR (called by build.sh).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const assets = path.join(process.argv[2] ?? 'dist', 'assets');
let raw = 0;
let br = 0;
for (const name of readdirSync(assets).filter((n) => /\.(js|css)$/.test(n))) {
  const file = path.join(assets, name);
  const content = readFileSync(file);
  const brotli = brotliCompressSync(content, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
  });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
  raw += content.length;
  br += brotli.length;
}
console.error(`==> precompressed web/dist/assets: ${(raw / 1024).toFixed(0)} KiB → ${(br / 1024).toFixed(0)} KiB brotli`);
