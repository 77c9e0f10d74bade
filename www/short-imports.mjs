// Shorten the wasm's import names (wasm-bindgen's `__wbg_<name>_<16 hex>`, ~190 of them,
// each written in the wasm AND in the glue; the hex hashes are incompressible) to a few
// letters, in both files, consistently; likewise the exports whose names carry a hash
// (the closure trampolines, `…__h<16 hex>`). Used by build-loader.mjs after wasm-opt.
//
// Only the import and export sections are rewritten: every other section is copied byte
// for byte. Every renamed name must occur exactly once in the glue, or nothing is written.
// Returns { wasm, glue, count } or throws naming what did not match.

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function reader(buf, pos) {
  return {
    pos,
    u32() {
      let result = 0, shift = 0, b;
      do {
        b = buf[this.pos++];
        result |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      return result >>> 0;
    },
    name() {
      const len = this.u32();
      const s = Buffer.from(buf.subarray(this.pos, this.pos + len)).toString("utf8");
      this.pos += len;
      return s;
    },
  };
}

/** The import descriptor's bytes after the names (kind + type), copied verbatim. */
function skipDesc(r, buf) {
  const start = r.pos;
  const kind = buf[r.pos++];
  if (kind === 0x00) r.u32(); // func: type index
  else if (kind === 0x01) { r.pos++; limits(r, buf); } // table: reftype + limits
  else if (kind === 0x02) limits(r, buf); // memory
  else if (kind === 0x03) r.pos += 2; // global: valtype + mut
  else if (kind === 0x04) { r.pos++; r.u32(); } // tag
  else throw new Error(`short-imports: unknown import kind ${kind}`);
  return buf.subarray(start, r.pos);
}

function limits(r, buf) {
  const flags = buf[r.pos++];
  r.u32();
  if (flags & 1) r.u32();
}

const short = (i) => {
  const a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do { s += a[i % a.length]; i = Math.floor(i / a.length); } while (i > 0);
  return s;
};

export function shortenImports(wasm, glue, module) {
  const buf = new Uint8Array(wasm);
  if (buf[0] !== 0 || buf[1] !== 0x61 || buf[2] !== 0x73 || buf[3] !== 0x6d) throw new Error("short-imports: not a wasm module");
  const parts = [buf.subarray(0, 8)];
  let pos = 8, count = 0, exported = 0;
  const renames = [];
  while (pos < buf.length) {
    const id = buf[pos];
    const r = reader(buf, pos + 1);
    const size = r.u32();
    const body = r.pos;
    const end = body + size;
    if (id === 7) {
      const n = r.u32();
      const out = [...leb(n)];
      for (let i = 0; i < n; i++) {
        let name = r.name();
        const kind = buf[r.pos++];
        const index = r.u32();
        if (/__h[0-9a-f]{16}$/.test(name)) {
          const to = "z" + short(exported++);
          renames.push([name, to]);
          name = to;
        }
        const nb = Buffer.from(name);
        out.push(...leb(nb.length), ...nb, kind, ...leb(index));
      }
      if (r.pos !== end) throw new Error("short-imports: export section did not parse to its end");
      parts.push(Uint8Array.of(7, ...leb(out.length)), Uint8Array.from(out));
    } else if (id !== 2) {
      parts.push(buf.subarray(pos, end));
    } else {
      const n = r.u32();
      const out = [...leb(n)];
      for (let i = 0; i < n; i++) {
        const mod = r.name();
        const field = r.name();
        const desc = skipDesc(r, buf);
        let m = mod, f = field;
        if (mod === module) {
          m = "a";
          f = short(count++);
          renames.push([field, f]);
        }
        const mb = Buffer.from(m), fb = Buffer.from(f);
        out.push(...leb(mb.length), ...mb, ...leb(fb.length), ...fb, ...desc);
      }
      if (r.pos !== end) throw new Error("short-imports: import section did not parse to its end");
      parts.push(Uint8Array.of(2, ...leb(out.length)), Uint8Array.from(out));
    }
    pos = end;
  }
  let js = glue;
  for (const [from, to] of renames) {
    const re = new RegExp(`(?<![\\w$])${from.replace(/[$]/g, "\\$")}(?![\\w$])`, "g");
    const hits = js.match(re);
    if (!hits || hits.length !== 1) throw new Error(`short-imports: ${from} appears ${hits ? hits.length : 0} times in the glue, expected once`);
    js = js.replace(re, to);
  }
  const modRe = new RegExp(`(["'])${module.replace(/[.\/]/g, (c) => "\\" + c)}\\1`, "g");
  const modHits = js.match(modRe);
  if (!modHits || modHits.length !== 1) throw new Error(`short-imports: module name ${module} appears ${modHits ? modHits.length : 0} times in the glue`);
  js = js.replace(modRe, '"a"');
  return { wasm: Buffer.concat(parts.map((p) => Buffer.from(p))), glue: js, count: count + exported };
}
