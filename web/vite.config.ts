import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Two pages: the dashboard (index.html, no framework) and GraphiQL (graphiql.html, React).
// Built into the Python package, which serves them at / and /graphiql and the assets at /assets/.
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(here, '../cid_graph/static/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 6000,
    rollupOptions: {
      // graphiql's React-compiler output carries "use no memo" directives: harmless when bundled.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        index: resolve(here, 'index.html'),
        graphiql: resolve(here, 'graphiql.html'),
      },
    },
  },
  server: {
    // `npm run dev` proxies the API to a running `cid-graph demo-serve --port 8123`.
    proxy: {
      '/graphql': 'http://127.0.0.1:8123',
      '/demo': 'http://127.0.0.1:8123',
      '/healthz': 'http://127.0.0.1:8123',
    },
    fs: { allow: ['..'] },
  },
});
