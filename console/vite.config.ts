// The console's build: hashed bundles in dist/console, which the service serves at `/`
// (src/api/console/routes.ts) — each page its own chunk (React.lazy in src/app.tsx). No CDN: every asset
// is emitted here.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // antd's core is one large shared chunk by nature; the console is served from the same host.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    // `npx vite console` during development talks to a Tocsin on the default port.
    proxy: { '/api': 'http://127.0.0.1:9700' },
  },
});
