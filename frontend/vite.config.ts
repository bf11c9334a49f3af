import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The backend serves dist/ at `/` and caches everything under /assets/ for good, so every
// asset must carry a content hash and live there (Vite's defaults, spelled out).
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "assets",
    // The server's CSP (default-src 'self') refuses data: URLs, so never inline assets.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    port: 5173,
    strictPort: true,
    // Same origin in development: the session cookie is SameSite=Strict and the server
    // refuses cross-origin writes, so the API must look like it lives on the dev server.
    proxy: {
      // changeOrigin stays false: the server compares Origin with Host, both the dev server's.
      "/api": { target: process.env.API_TARGET ?? "http://127.0.0.1:8080", changeOrigin: false },
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
