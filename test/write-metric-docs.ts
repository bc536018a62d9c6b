// Rewrites the generated catalog section of docs/metrics.md from src/metrics/catalog:
//   npx tsx test/write-metric-docs.ts
// src/metrics/catalog/catalog.test.ts fails until it has been run after a catalog change.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withCatalogSection } from '../src/metrics/catalog/catalog-markdown.js';

const path = fileURLToPath(new URL('../docs/metrics.md', import.meta.url));
writeFileSync(path, withCatalogSection(readFileSync(path, 'utf8')));
console.log(`rewrote the catalog section of ${path}`);
