//! FastAPI on Starlette's `CORSMiddleware` (served by uvicorn).
//!
//! Exact origins go to `allow_origins` (compared as strings, so no trailing
//! slash); every pattern is folded into the one `allow_origin_regex` it
//! takes, anchored (it is `fullmatch`ed, and anchored again in case it is
//! ever `match`ed). Starlette refuses a preflight with 400 and checks the
//! method case-sensitively. It cannot say "any header but `Authorization`"
//! (`*` echoes every requested header) nor "any method" (`*` is its fixed
//! list of eight), and always sends `Access-Control-Max-Age` (600 by
//! default): absent in the policy, it is written as 5, the value browsers
//! assume when the header is missing.

use std::fmt::Write as _;

use super::origin_regex::{Flavor, entries_regex};
use super::{GeneratedApp, Origins, Plan, Stack, quoted, quoted_list};

/// The CORS-safelisted request-header names, which Starlette's
/// `allow_headers` always holds.
const SAFELISTED_NAMES: [&str; 4] = ["accept", "accept-language", "content-language", "content-type"];

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    let mut why = Vec::new();
    if plan.any_header {
        why.push("allow_headers=[\"*\"] echoes every requested header, Authorization included, where the policy's * leaves Authorization out (as browsers do): list the headers by name".to_owned());
    }
    if plan.methods.is_none() {
        why.push("allow_methods=[\"*\"] is Starlette's fixed list of eight methods, compared case-sensitively, where the policy's * allows any method: list the methods by name".to_owned());
    }
    if !why.is_empty() {
        return Err(why);
    }
    let mut py = plan.banner("#", Stack::FastApi);
    py.push_str("#\n# Run: pip install -r requirements.txt && python app.py (uvicorn, on 127.0.0.1)\n\n");
    py.push_str(
        "from fastapi import FastAPI\n\
         from fastapi.middleware.cors import CORSMiddleware\n\
         from fastapi.responses import PlainTextResponse\n\n\
         app = FastAPI()\n\n",
    );
    let methods = plan.method_list().unwrap_or_default();
    let demo = plan.demo_headers();
    let headers = if demo.is_empty() {
        String::new()
    } else {
        format!(", headers={{{}}}", demo.iter().map(|h| format!("{}: \"1\"", quoted(h))).collect::<Vec<_>>().join(", "))
    };
    for path in ["data", "items"] {
        let _ = write!(
            py,
            "\n@app.api_route(\"/{path}\", methods=[{}])\n\
             def {path}():\n    return PlainTextResponse(\"{path}\\n\"{headers})\n\n",
            quoted_list(&methods),
        );
    }
    py.push_str("\n# Any other path: FastAPI's own 404 ({\"detail\": \"Not Found\"}), with the CORS headers.\n\n");
    py.push_str(
        "# add_middleware wraps the whole app, routes and the 404 alike, but not the\n\
         # outermost ServerErrorMiddleware: an unhandled exception's 500 has no CORS\n\
         # headers (the page sees a CORS error): handle errors in the routes.\n\
         app.add_middleware(\n    CORSMiddleware,\n",
    );
    match &plan.origins {
        Origins::Any => py.push_str("    allow_origins=[\"*\"],\n"),
        Origins::List { exact, written, .. } => {
            if !exact.is_empty() {
                let _ = writeln!(py, "    allow_origins=[{}],  # exact, as the browser sends them: no trailing slash", quoted_list(exact));
            }
            if let Some(regex) = entries_regex(written.iter().map(String::as_str), Flavor::Python) {
                let _ = writeln!(py, "    # {}: one regex for all patterns, anchored", written.join(", "));
                let _ = writeln!(py, "    allow_origin_regex={},", raw_string(&regex));
            }
        }
    }
    let _ = writeln!(py, "    allow_methods=[{}],  # compared case-sensitively", quoted_list(&methods));
    let unlisted: Vec<&str> = SAFELISTED_NAMES.iter().copied().filter(|n| !plan.headers.iter().any(|h| h == n)).collect();
    if !unlisted.is_empty() {
        let _ = writeln!(
            py,
            "    # Starlette also allows {}, whatever their value{}, though this\n    # policy does not list them (it cannot be turned off).",
            unlisted.join(", "),
            if unlisted.contains(&"content-type") { " (Content-Type: application/json, say)" } else { "" }
        );
    }
    let _ = writeln!(py, "    allow_headers=[{}],", quoted_list(&plan.headers));
    if plan.credentials {
        py.push_str("    allow_credentials=True,\n");
    }
    if !plan.expose.is_empty() {
        let _ = writeln!(py, "    expose_headers=[{}],", quoted_list(&plan.expose));
    }
    match plan.max_age.as_deref() {
        None => py.push_str("    max_age=5,  # always sent (600 by default); 5 s is what browsers assume when it is absent\n"),
        Some(seconds) => {
            let _ = writeln!(py, "    max_age={seconds},");
        }
    }
    py.push_str(")\n\n");
    let _ = write!(
        py,
        "if __name__ == \"__main__\":\n    import uvicorn\n\n    uvicorn.run(app, host=\"127.0.0.1\", port={}, log_level=\"warning\")\n",
        plan.port
    );
    let requirements: String = Stack::FastApi.packages().iter().map(|(n, v)| format!("{n}=={v}\n")).collect();
    let mut notes = vec![
        "Starlette answers a refused preflight with 400 (\"Disallowed CORS origin\"), an allowed one with 200 and body OK".to_owned(),
        "an unhandled exception's 500 carries no CORS headers (ServerErrorMiddleware sits outside user middleware: Kludex/starlette#1116)".to_owned(),
    ];
    if plan.max_age.is_none() {
        notes.push("Access-Control-Max-Age: 5 where the policy sends none: browsers use 5 s then too".to_owned());
    }
    let widened = (!unlisted.is_empty()).then(|| {
        notes.push(format!(
            "wider than the policy: Starlette always allows the request headers {} in a preflight, whatever their value{}, and this cannot be turned off; list them in the policy to make it exact",
            unlisted.join(", "),
            if unlisted.contains(&"content-type") { " (a JSON Content-Type, say)" } else { "" }
        ));
        let mut config = plan.config.clone();
        config.headers.extend(unlisted.iter().map(|n| (*n).to_owned()));
        config
    });
    Ok(GeneratedApp {
        stack: Stack::FastApi,
        files: vec![("app.py".to_owned(), py), ("requirements.txt".to_owned(), requirements)],
        entry: "app.py".to_owned(),
        run: "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened,
    })
}

/// A Python raw string literal for a regex (a plain one when it cannot be
/// raw).
pub(super) fn raw_string(regex: &str) -> String {
    if regex.contains('"') || regex.ends_with('\\') { quoted(regex) } else { format!("r\"{regex}\"") }
}
