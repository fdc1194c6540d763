// Bundles src/main.ts and copies the static page into dist/, which Tauri embeds.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
copyFileSync("index.html", "dist/index.html");
copyFileSync("style.css", "dist/style.css");
await build({
  entryPoints: ["src/main.ts"],
  bundle: true,
  format: "esm",
  target: "safari15",
  outfile: "dist/main.js",
  minify: true,
  logLevel: "warning",
});
