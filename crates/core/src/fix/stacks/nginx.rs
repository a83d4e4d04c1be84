//! nginx: a whole `nginx.conf`, runnable unprivileged from its folder
//! (`nginx -p DIR -c DIR/nginx.conf -e stderr`: pid and temporary files in
//! DIR, `daemon off`, listening on 127.0.0.1 only).
//!
//! The rules that bite: `add_header` skips 4xx/5xx answers without
//! `always`; an `add_header` at an inner level (a `location`, an `if`)
//! silently drops every outer one; `if` in a location is evil. So every
//! CORS header is computed by a `map` at `http` level (empty when refused:
//! nginx sends no header with an empty value) and added once, at `server`
//! level, with `always`; preflights (any `OPTIONS`) return 204 from a
//! server-level `if` holding nothing but `return`. Origin regexes are
//! case-sensitive (`~`, never `~*`) and anchored.

use std::fmt::Write as _;

use super::origin_regex::{Flavor, entry_regex};
use super::{GeneratedApp, Origins, Plan, Stack};

/// A `map` at http level: `$variable` is `value` when `key` matches
/// `matches`, else "".
fn map(conf: &mut String, variable: &str, key: &str, matches: &str, value: &str) {
    let _ = writeln!(conf, "    map {key} ${variable} {{\n        default \"\";\n        {} {};\n    }}", quoted(matches), quoted(value));
}

/// A double-quoted nginx string. nginx's parser turns `\"`, `\\`, `\t`, `\r`
/// and `\n` into what they stand for and keeps any other `\x` as is, so a
/// regex's escapes (`\.`, `\[`) stay readable.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\\\""))
}

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    // A `$` in a value is a variable to nginx (there is no escape for it).
    let values: Vec<&String> = plan.headers.iter().chain(&plan.expose).chain(plan.methods.iter().flatten()).collect();
    let dollars: Vec<&str> = values.iter().filter(|v| v.contains('$')).map(|v| v.as_str()).collect();
    if !dollars.is_empty() {
        return Err(vec![format!(
            "nginx reads $ in a header value as a variable, with no way to escape it: {} cannot be sent as is",
            dollars.join(", ")
        )]);
    }
    let mut conf = plan.banner("#", Stack::Nginx);
    conf.push_str(
        "#\n# Run from this folder (nginx as Debian ships it, 1.22):\n#   nginx -p \"$PWD\" -c \"$PWD/nginx.conf\" -e stderr\n\n\
         daemon off;\nworker_processes 1;\npid nginx.pid;          # relative paths are inside the -p folder\nerror_log stderr;\n\n\
         events {\n    worker_connections 256;\n}\n\nhttp {\n    access_log off;\n    default_type text/plain;\n\
         \x20   client_body_temp_path client_body_temp;\n    proxy_temp_path proxy_temp;\n    fastcgi_temp_path fastcgi_temp;\n\
         \x20   uwsgi_temp_path uwsgi_temp;\n    scgi_temp_path scgi_temp;\n\n",
    );
    let method_list = match plan.method_list() {
        None => "*".to_owned(),
        Some(list) => list.join(", "),
    };
    let header_list = plan.header_list().join(", ");
    let expose = plan.expose.join(", ");
    // What a preflight-only header is keyed on: the method, and the origin
    // when it decides.
    let (allow_origin, preflight_key, preflight_match, actual_key) = match &plan.origins {
        Origins::Any => ("\"*\"".to_owned(), "$request_method", "OPTIONS", None),
        Origins::List { exact, written, .. } => {
            conf.push_str(
                "    # The request's own origin when it is allowed, else \"\" (nginx sends no\n\
                 \x20   # header with an empty value). Regexes: ~ (case-sensitive), anchored.\n\
                 \x20   map $http_origin $cors_origin {\n        default \"\";\n",
            );
            for origin in exact {
                let _ = writeln!(conf, "        {} $http_origin;", quoted(origin));
            }
            for pattern in written {
                let regex = entry_regex(pattern, Flavor::Pcre).unwrap_or_default();
                let _ = writeln!(conf, "        {} $http_origin;  # {pattern}", quoted(&format!("~{regex}")));
            }
            conf.push_str("    }\n");
            ("$cors_origin".to_owned(), "\"$request_method $cors_origin\"", "~^OPTIONS .", Some("$cors_origin"))
        }
    };
    if plan.credentials {
        map(&mut conf, "cors_credentials", actual_key.unwrap_or("$request_method"), "~.", "true");
    }
    if let Some(key) = actual_key
        && !expose.is_empty()
    {
        map(&mut conf, "cors_expose", key, "~.", &expose);
    }
    conf.push_str("    # Preflight-only headers: for OPTIONS (from an allowed origin).\n");
    map(&mut conf, "cors_methods", preflight_key, preflight_match, &method_list);
    if !header_list.is_empty() {
        map(&mut conf, "cors_headers", preflight_key, preflight_match, &header_list);
    }
    if let Some(seconds) = plan.max_age.as_deref() {
        map(&mut conf, "cors_max_age", preflight_key, preflight_match, seconds);
    }
    let _ = write!(
        conf,
        "\n    server {{\n        listen 127.0.0.1:{port};\n\n\
         \x20       # Every CORS header here, at server level, with `always` (404s and 5xx keep\n\
         \x20       # them). Never an add_header in a location or an if below: one there\n\
         \x20       # silently drops all of these for that location.\n\
         \x20       add_header Access-Control-Allow-Origin {allow_origin} always;\n",
        port = plan.port
    );
    if plan.credentials {
        conf.push_str("        add_header Access-Control-Allow-Credentials $cors_credentials always;\n");
    }
    if !expose.is_empty() {
        let value = if actual_key.is_some() { "$cors_expose".to_owned() } else { quoted(&expose) };
        let _ = writeln!(conf, "        add_header Access-Control-Expose-Headers {value} always;");
    }
    conf.push_str("        add_header Access-Control-Allow-Methods $cors_methods always;\n");
    if !header_list.is_empty() {
        conf.push_str("        add_header Access-Control-Allow-Headers $cors_headers always;\n");
    }
    if plan.max_age.is_some() {
        conf.push_str("        add_header Access-Control-Max-Age $cors_max_age always;\n");
    }
    if plan.varies() {
        conf.push_str("        add_header Vary Origin always;  # the answers depend on the Origin\n");
    }
    for header in plan.demo_headers() {
        let _ = writeln!(conf, "        add_header {header} \"1\" always;  # exposed: the page may read it");
    }
    conf.push_str(
        "\n        # Preflights, and any other OPTIONS: 204 with the headers above. Only a\n\
         \x20       # return in this if (an add_header here would drop the ones above).\n\
         \x20       if ($request_method = OPTIONS) {\n            return 204;\n        }\n\n\
         \x20       location = /data {\n            return 200 \"data\\n\";\n        }\n\
         \x20       location = /items {\n            return 200 \"items\\n\";\n        }\n\
         \x20       # Anything else: nginx's own 404 page (with the CORS headers: `always`).\n\
         \x20       location / {\n            return 404;\n        }\n    }\n}\n",
    );
    let notes = vec![
        "nginx is Debian's (1.22 on bookworm: no add_header_inherit, which came in 1.29.3); the config needs no module beyond the core ones".to_owned(),
        "the preflight's method and headers are not checked by nginx: it sends the policy's lists and the browser compares".to_owned(),
        "behind proxy_pass, add `proxy_hide_header Access-Control-Allow-Origin;` (and the other CORS headers) so the upstream's do not duplicate these".to_owned(),
    ];
    Ok(GeneratedApp {
        stack: Stack::Nginx,
        files: vec![("nginx.conf".to_owned(), conf)],
        entry: "nginx.conf".to_owned(),
        run: "nginx -p \"$PWD\" -c \"$PWD/nginx.conf\" -e stderr".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened: None,
    })
}
