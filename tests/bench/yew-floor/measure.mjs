// Measure the yew floor the way the shipped widget is measured: wasm-opt with the
// widget's settings (index.html), the glue minified with terser and the import names
// shortened (www/build-loader.mjs), brotli quality 11 (scripts/size-check.mjs).
// Usage: node measure.mjs <wasm-bindgen out dir>   (run by scripts/yew-floor)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { brotliCompressSync, constants } from "node:zlib";
import { minify } from "terser";
import { shortenImports } from "../../../www/short-imports.mjs";

const out = process.argv[2];
const wasmIn = join(out, "yew_floor_bg.wasm");
const wasmOpt = join(out, "opt.wasm");
execFileSync("wasm-opt", ["-Os", "--converge", "--low-memory-unused", "--enable-reference-types", "--enable-bulk-memory",
  "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-multivalue",
  wasmIn, "-o", wasmOpt], { stdio: "inherit" });
const glue = await minify(readFileSync(join(out, "yew_floor.js"), "utf8"), { module: true, ecma: 2020, compress: { passes: 2 }, mangle: true });
const module = glue.code.match(/["'](\.\/[^"']*_bg\.js)["']\s*:/);
if (!module) throw new Error("yew-floor: the glue's import module name was not found");
const short = shortenImports(readFileSync(wasmOpt), glue.code, module[1]);
const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const g = br(Buffer.from(short.glue)), w = br(short.wasm);
const kib = (n) => (n / 1024).toFixed(1) + " KiB";
console.log(`yew floor (launcher + dialog, the widget's build): glue ${kib(g)} + wasm ${kib(w)} = ${kib(g + w)} brotli (${g + w} B)`);
