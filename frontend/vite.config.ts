/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url';

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API the dev server forwards to (a running `genrelens serve`).
const backend = process.env.GENRELENS_BACKEND ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    proxy: {
      '/rest': { target: backend, changeOrigin: false },
      '/connect': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    // Hashed names everywhere so nginx/WhiteNoise can cache them for a year.
    assetsDir: 'assets',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/testing/setup.ts'],
    css: false,
    // the machine running the suite is shared; a view test may wait on several lazy chunks
    testTimeout: 30_000,
  },
});
