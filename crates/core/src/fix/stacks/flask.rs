//! Flask with Flask-CORS.
//!
//! Flask-CORS turns any origin string holding one of `*\]?$^[()` into a
//! regex matched with `re.match` and `IGNORECASE`, so a glob like
//! `https://*.example.com` does not mean what it reads like: every origin is
//! written as a compiled, anchored regex instead. It upper-cases the method
//! and its list before comparing (browsers compare case-sensitively), and
//! answers `Access-Control-Allow-Headers` with the requested names it
//! matches, so `*` lets `Authorization` through: a policy with a lower-case
//! method, any method or any header cannot be written exactly. Its `Vary:
//! Origin` goes only on the answers it allows; a small `after_request` adds it
//! to the others.

use std::fmt::Write as _;

use super::fastapi::raw_string;
use super::origin_regex::{Flavor, entry_regex};
use super::{GeneratedApp, Origins, Plan, Stack, quoted, quoted_list};

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    let mut why = Vec::new();
    if plan.any_header {
        why.push("allow_headers=\"*\" echoes every requested header, Authorization included, where the policy's * leaves Authorization out (as browsers do): list the headers by name".to_owned());
    }
    match &plan.methods {
        None => why.push("methods=\"*\" is not a wildcard in Flask-CORS (it compares the requested method with the list): list the methods by name".to_owned()),
        Some(methods) => {
            let lower: Vec<&String> = methods.iter().filter(|m| m.to_ascii_uppercase() != **m).collect();
            if !lower.is_empty() {
                why.push(format!(
                    "Flask-CORS upper-cases methods, so it would answer {} where the page sends {} and browsers compare case-sensitively: use the upper-case method in the page and the policy",
                    lower.iter().map(|m| m.to_ascii_uppercase()).collect::<Vec<_>>().join(", "),
                    lower.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "),
                ));
            }
        }
    }
    if !why.is_empty() {
        return Err(why);
    }
    let mut py = plan.banner("#", Stack::Flask);
    py.push_str("#\n# Run: pip install -r requirements.txt && python app.py (Flask's server, on 127.0.0.1)\n\n");
    py.push_str("import re\n\nfrom flask import Flask\nfrom flask_cors import CORS\n\napp = Flask(__name__)\n\n");
    let origins = match &plan.origins {
        Origins::Any => "\"*\"".to_owned(),
        Origins::List { exact, written, .. } => {
            py.push_str(
                "# Every origin as a compiled regex, anchored at both ends: Flask-CORS reads a\n\
                 # string with any of *\\]?$^[() as a case-insensitive, start-anchored regex\n\
                 # (so \"https://*.example.com\" would not mean what it reads like:\n\
                 # corydolphin/flask-cors#206), and compares other strings case-insensitively.\n\
                 ALLOWED_ORIGINS = [\n",
            );
            for origin in exact {
                let regex = entry_regex(origin, Flavor::Python).unwrap_or_default();
                let _ = writeln!(py, "    re.compile({}),", raw_string(&regex));
            }
            for pattern in written {
                let regex = entry_regex(pattern, Flavor::Python).unwrap_or_default();
                let _ = writeln!(py, "    re.compile({}),  # {pattern}", raw_string(&regex));
            }
            py.push_str("]\n\n");
            "ALLOWED_ORIGINS".to_owned()
        }
    };
    let methods = plan.method_list().unwrap_or_default();
    let route_methods: Vec<&String> = methods.iter().filter(|m| *m != "OPTIONS").collect();
    let mut headers = vec!["\"Content-Type\": \"text/plain\"".to_owned()];
    headers.extend(plan.demo_headers().iter().map(|h| format!("{}: \"1\"", quoted(h))));
    for path in ["data", "items"] {
        let _ = write!(
            py,
            "\n@app.route(\"/{path}\", methods=[{}])\ndef {path}():\n    return \"{path}\\n\", 200, {{{}}}\n\n",
            quoted_list(&route_methods),
            headers.join(", ")
        );
    }
    py.push_str("\n# Any other path: Flask's own 404, with the CORS headers.\n\n");
    if plan.varies() {
        py.push_str(
            "# Registered before CORS(app), so it runs after Flask-CORS's own after_request:\n\
             # Vary: Origin on every answer, the refused ones too (Flask-CORS adds it only to\n\
             # the answers it allows), so a shared cache never hands one origin's answer to another.\n\
             @app.after_request\ndef vary_on_origin(response):\n    response.vary.add(\"Origin\")\n    return response\n\n\n",
        );
    }
    py.push_str("# Applies to every route (resources=r\"/*\"), error answers included.\nCORS(\n    app,\n");
    let _ = writeln!(py, "    origins={origins},");
    if matches!(plan.origins, Origins::Any) {
        py.push_str("    send_wildcard=True,  # answer *, not the request's origin\n");
    }
    let _ = writeln!(py, "    methods=[{}],", quoted_list(&methods));
    let _ = writeln!(py, "    allow_headers=[{}],  # the default \"*\" echoes any requested header", quoted_list(&plan.headers));
    if !plan.expose.is_empty() {
        let _ = writeln!(py, "    expose_headers=[{}],", quoted_list(&plan.expose));
    }
    if plan.credentials {
        py.push_str("    supports_credentials=True,\n");
    }
    match plan.max_age.as_deref() {
        None => {}
        Some("0") => py.push_str("    max_age=\"0\",  # a string: the number 0 is left out\n"),
        Some(seconds) => {
            let _ = writeln!(py, "    max_age={seconds},");
        }
    }
    py.push_str("    allow_private_network=False,\n)\n\n");
    let _ = write!(py, "if __name__ == \"__main__\":\n    app.run(host=\"127.0.0.1\", port={})\n", plan.port);
    let requirements: String = Stack::Flask.packages().iter().map(|(n, v)| format!("{n}=={v}\n")).collect();
    let notes = vec![
        "a refused preflight gets Flask's own 200 answer to OPTIONS without CORS headers; the browser blocks".to_owned(),
        "Access-Control-Allow-Headers lists the requested names the policy allows, not the policy's list".to_owned(),
    ];
    Ok(GeneratedApp {
        stack: Stack::Flask,
        files: vec![("app.py".to_owned(), py), ("requirements.txt".to_owned(), requirements)],
        entry: "app.py".to_owned(),
        run: "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened: None,
    })
}
