//! Build step: the widget's stylesheet is compiled into the wasm minified — comments
//! dropped, whitespace collapsed where CSS ignores it — so the shipped bytes carry no
//! commentary. The source `www/reach-us.css` stays readable.
use std::{env, fs, path::Path};

fn main() {
    let src = "www/reach-us.css";
    println!("cargo:rerun-if-changed={src}");
    let css = fs::read_to_string(src).expect("www/reach-us.css is readable");
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("reach-us.min.css");
    fs::write(out, minify(&css)).expect("OUT_DIR is writable");
}

/// Drop `/* … */` comments; collapse whitespace to one space, and to none next to
/// `{ } ; ,` and after `:` (a space before `:` can be a descendant combinator, so it
/// stays). Quoted strings are copied as they are.
fn minify(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                space = true;
            }
            '"' | '\'' => {
                flush(&mut out, &mut space, c);
                out.push(c);
                for d in chars.by_ref() {
                    out.push(d);
                    if d == c {
                        break;
                    }
                }
            }
            c if c.is_whitespace() => space = true,
            c => {
                flush(&mut out, &mut space, c);
                out.push(c);
            }
        }
    }
    out
}

fn flush(out: &mut String, space: &mut bool, next: char) {
    if std::mem::take(space)
        && !out.is_empty()
        && !"{};,".contains(next)
        && !out.ends_with(['{', '}', ';', ',', ':'])
    {
        out.push(' ');
    }
}
