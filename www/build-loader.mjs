// Trunk post_build hook: turn www/reach-us.js into dist/reach-us.js, the one file a site
// embeds. It fills in the hashed names of the glue and the wasm, the launcher's CSS (the
// `@launcher` section of www/reach-us.css, so the facade and the real launcher share one
// source) and the launcher label of every shipped locale (core/i18n/*.json). It also
// removes the eager wasm loading Trunk injects into the demo page: the page must embed the
// widget exactly as a brand would, through reach-us.js alone.
import { readFileSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { minify } from "terser";
import { shortenImports } from "./short-imports.mjs";

const staging = process.env.TRUNK_STAGING_DIR;
const source = process.env.TRUNK_SOURCE_DIR || process.cwd();
if (!staging) {
  console.error("build-loader: TRUNK_STAGING_DIR is not set (run through trunk)");
  process.exit(1);
}
const files = readdirSync(staging);
const glue = files.find((f) => /^reach[-_]us-[0-9a-f]+\.js$/.test(f));
const wasm = files.find((f) => /^reach[-_]us-[0-9a-f]+_bg\.wasm$/.test(f));
if (!glue || !wasm) {
  console.error(`build-loader: glue or wasm not found in ${staging}: ${files.join(", ")}`);
  process.exit(1);
}
// The wasm-bindgen glue, minified in place with terser as an ES module (its exports and the
// import object's property names, which the wasm links by, are kept): -2.0 KiB brotli.
// Its default wasm URL (`new URL("reach-us_bg.wasm", import.meta.url)`) gets the hashed
// name, so the loader calls init() without one.
const gluePath = join(staging, glue);
const glueSource = readFileSync(gluePath, "utf8");
const defaultWasm = glueSource.match(/new URL\('([^']+_bg\.wasm)', import\.meta\.url\)/);
if (!defaultWasm) {
  console.error("build-loader: the glue's default wasm URL (new URL('…_bg.wasm', import.meta.url)) was not found");
  process.exit(1);
}
const glueMin = await minify(glueSource.replace(defaultWasm[0], `new URL(${JSON.stringify(wasm)}, import.meta.url)`), { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true });
if (!glueMin.code) {
  console.error("build-loader: terser returned no code for the glue");
  process.exit(1);
}
// Then the wasm's import names, in the wasm and the glue alike (see short-imports.mjs):
// -4.4 KiB brotli over both files.
const importModule = glueMin.code.match(/["'](\.\/[^"']*_bg\.js)["']\s*:/);
if (!importModule) {
  console.error("build-loader: the glue's import module name (\"./…_bg.js\") was not found");
  process.exit(1);
}
const wasmPath = join(staging, wasm);
let shortened;
try {
  shortened = shortenImports(readFileSync(wasmPath), glueMin.code, importModule[1]);
} catch (e) {
  console.error(`build-loader: ${e.message}`);
  process.exit(1);
}
writeFileSync(wasmPath, shortened.wasm);
writeFileSync(gluePath, shortened.glue + "\n");
const css = readFileSync(join(source, "www/reach-us.css"), "utf8");
const section = css.match(/\/\* @launcher:start[\s\S]*?\*\/([\s\S]*?)\/\* @launcher:end \*\//);
if (!section) {
  console.error("build-loader: www/reach-us.css lacks the @launcher:start/@launcher:end section");
  process.exit(1);
}
const minCss = section[1]
  .replace(/\/\*[\s\S]*?\*\//g, "")
  .replace(/\s+/g, " ")
  .replace(/\s*([{};:,>])\s*/g, "$1")
  .replace(/;}/g, "}")
  .replace(/\s*!important/g, "!important")
  .replace(/([:(,\s])0\.(\d)/g, "$1.$2")
  .trim();
const i18nDir = join(source, "core/i18n");
const labels = {};
for (const f of readdirSync(i18nDir).filter((f) => f.endsWith(".json")).sort()) {
  const locale = f.slice(0, -5);
  const table = JSON.parse(readFileSync(join(i18nDir, f), "utf8"));
  labels[locale] = table.launcher;
  // Every locale but English (compiled into the wasm) as its own file beside the glue,
  // fetched by the widget only for a visitor who reads that language.
  if (locale !== "en") writeFileSync(join(staging, glue.replace(/\.js$/, `.${locale}.json`)), JSON.stringify(table));
}
let loader = readFileSync(join(source, "www/reach-us.js"), "utf8")
  .replace("__RU_GLUE__", glue)
  .replace("__RU_LAUNCHER_CSS__", JSON.stringify(minCss))
  .replace("__RU_LABELS__", JSON.stringify(labels));
if (/__RU_[A-Z_]+__/.test(loader)) {
  console.error("build-loader: a placeholder was left unfilled");
  process.exit(1);
}
// Minified with terser (the field's standard); the `/*!` banner is kept.
const min = await minify(loader, { ecma: 2020, toplevel: true, compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: true, format: { comments: /^!/ } });
loader = min.code;
writeFileSync(join(staging, "reach-us.js"), loader + "\n");

const indexPath = join(staging, "index.html");
try {
  let html = readFileSync(indexPath, "utf8");
  html = html
    .replace(/<script type="module"[^>]*>[\s\S]*?<\/script>/g, (s) => (s.includes(glue) ? "" : s))
    .replace(/<link[^>]*(modulepreload|rel="preload")[^>]*>/g, (s) => (s.includes(glue) || s.includes(wasm) ? "" : s));
  writeFileSync(indexPath, html);
} catch (e) {
  if (e.code !== "ENOENT") throw e;
}
console.log(`build-loader: reach-us.js -> ${glue} + ${wasm}`);
