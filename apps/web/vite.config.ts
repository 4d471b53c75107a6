import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// Hashed file names under /assets let the gateway cache them for a year; index.html is never cached.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [preact()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    target: "es2022",
    reportCompressedSize: false,
  },
});
