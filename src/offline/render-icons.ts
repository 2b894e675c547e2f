/**
 * Writes the manifest's PNG icons into public/icons/ (run once after changing
 * the icon): `node --import tsx src/offline/render-icons.ts`.
 */
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { renderIconPng } from './icon-renderer';

const dir = new URL('../../public/icons/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('icon-192.png', dir), renderIconPng({ size: 192 }));
writeFileSync(new URL('icon-512.png', dir), renderIconPng({ size: 512 }));
writeFileSync(new URL('icon-maskable-512.png', dir), renderIconPng({ size: 512, maskable: true }));
writeFileSync(new URL('apple-touch-icon-180.png', dir), renderIconPng({ size: 180, maskable: true }));
copyFileSync(new URL('../../public/icon.svg', import.meta.url), new URL('icon.svg', dir));
console.log('icons written to public/icons/');
