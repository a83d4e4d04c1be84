//! Express 5 + the `cors` package.
//!
//! `cors` never refuses: a disallowed origin just gets no
//! `Access-Control-Allow-Origin` (and the browser blocks). What matters is
//! the origin option: a list of exact strings (compared with `===`) and
//! anchored regexes (tested with `.test()`, unanchored by default), never
//! `true` (it reflects any origin) nor `"*"` with credentials; every option
//! spelled out, as the defaults allow six methods and echo any requested
//! header; and `app.use(cors(…))` before every route.

use std::fmt::Write as _;

use super::origin_regex::{Flavor, entry_regex};
use super::{GeneratedApp, Origins, Plan, Stack, quoted, quoted_list};

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    let mut js = plan.banner("//", Stack::Express);
    js.push_str(
        r#"//
// Run: npm install && node app.js
"use strict";
const express = require("express");
const cors = require("cors");

const app = express();

"#,
    );
    let origin = match &plan.origins {
        Origins::Any => r#""*""#.to_owned(),
        Origins::List { exact, written, .. } => {
            js.push_str(
                "// Allowed origins: exact strings are compared with ===; each regex is\n\
                 // anchored (^…$) with its dots escaped: an unanchored /example\\.com/ also\n\
                 // lets https://example.com.evil.example in (expressjs/cors#408).\n\
                 const allowedOrigins = [\n",
            );
            for origin in exact {
                let _ = writeln!(js, "  {},", quoted(origin));
            }
            for pattern in written {
                let regex = entry_regex(pattern, Flavor::JavaScript).unwrap_or_default();
                let _ = writeln!(js, "  /{regex}/, // {pattern}");
            }
            js.push_str("];\n\n");
            "allowedOrigins".to_owned()
        }
    };
    js.push_str("const corsOptions = {\n");
    let _ = writeln!(
        js,
        "  origin: {origin},{}",
        match plan.origins {
            Origins::Any => " // \"*\": any origin, never with credentials",
            Origins::List { .. } => " // a list, never `true`: that reflects any origin (expressjs/cors#422)",
        }
    );
    let methods = match plan.method_list() {
        None => r#""*""#.to_owned(),
        Some(list) => format!("[{}]", quoted_list(&list)),
    };
    let _ = writeln!(js, "  methods: {methods}, // the default lists six methods");
    let headers = plan.header_list();
    let headers = if headers == ["*"] { r#""*""#.to_owned() } else { format!("[{}]", quoted_list(&headers)) };
    let _ = writeln!(js, "  allowedHeaders: {headers}, // the default echoes any requested header");
    if !plan.expose.is_empty() {
        let expose = if plan.expose == ["*"] { r#""*""#.to_owned() } else { format!("[{}]", quoted_list(&plan.expose)) };
        let _ = writeln!(js, "  exposedHeaders: {expose},");
    }
    if plan.credentials {
        js.push_str("  credentials: true,\n");
    }
    match plan.max_age.as_deref() {
        None => js.push_str("  // no maxAge: Access-Control-Max-Age is not sent (browsers keep a preflight 5 s)\n"),
        Some(seconds) => {
            let _ = writeln!(js, "  maxAge: {seconds},");
        }
    }
    js.push_str("  optionsSuccessStatus: 204,\n};\n\n");
    js.push_str(
        "// First, before every route, router and auth middleware: cors answers each\n\
         // OPTIONS itself (204) and adds its headers to every answer, errors and the\n\
         // 404 included. Never app.options(\"*\", …): Express 5 throws at startup on it\n\
         // (path-to-regexp 8); a catch-all path is written \"/{*splat}\" now.\n\
         app.use(cors(corsOptions));\n\n",
    );
    let demo = plan.demo_headers();
    let set_headers: String = demo.iter().map(|h| format!(".set({}, \"1\")", quoted(h))).collect();
    let _ = write!(
        js,
        "app.all(\"/data\", (req, res) => res{set_headers}.type(\"text/plain\").send(\"data\\n\"));\n\
         app.all(\"/items\", (req, res) => res{set_headers}.type(\"text/plain\").send(\"items\\n\"));\n\
         // Any other path: Express's own 404 (with the CORS headers: cors ran first).\n\n\
         app.listen({port}, \"127.0.0.1\", () => console.log(\"listening on http://127.0.0.1:{port}\"));\n",
        port = plan.port
    );
    let dependencies: Vec<String> =
        Stack::Express.packages().iter().map(|(name, version)| format!("    \"{name}\": \"{version}\"")).collect();
    let package = format!(
        "{{\n  \"name\": \"corslab-fix-express\",\n  \"private\": true,\n  \"main\": \"app.js\",\n  \"dependencies\": {{\n{}\n  }}\n}}\n",
        dependencies.join(",\n")
    );
    let mut notes = vec![
        "cors never refuses a preflight: a disallowed origin gets 204 without Access-Control-Allow-Origin, and the browser blocks".to_owned(),
    ];
    if plan.varies() {
        notes.push("cors sends Vary: Origin on every answer (its origin is a list)".to_owned());
    }
    Ok(GeneratedApp {
        stack: Stack::Express,
        files: vec![("app.js".to_owned(), js), ("package.json".to_owned(), package)],
        entry: "app.js".to_owned(),
        run: "npm install && node app.js".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened: None,
    })
}
