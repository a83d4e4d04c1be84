//! axum 0.8 with tower-http 0.7's `CorsLayer`, as a Cargo project:
//! `src/cors.rs` holds the app and its layer (the snippet), `src/main.rs`
//! binds 127.0.0.1.
//!
//! tower-http panics (at the first request) on credentials with any `*`,
//! which a checked policy never holds; patterns go through
//! `AllowOrigin::predicate`, with the exact origins beside them; header
//! names must be lower-case for `HeaderName::from_static`. The layer never
//! refuses (every `OPTIONS` gets 200), and sends its lists whatever was
//! asked: the browser compares.

use std::fmt::Write as _;

use super::origin_regex::{Flavor, entries_regex};
use super::{GeneratedApp, Origins, Plan, Stack};

/// A Rust string literal (a raw one when it can be).
fn rust_str(text: &str, raw: bool) -> String {
    if raw && !text.contains('"') { format!("r\"{text}\"") } else { format!("{text:?}") }
}

/// A method as a `Method` expression.
fn method(name: &str) -> String {
    match name {
        "GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "OPTIONS" | "PATCH" => format!("Method::{name}"),
        other => format!("Method::from_bytes({}.as_bytes()).expect(\"a method token\")", rust_str(other, false)),
    }
}

fn header_names(names: &[impl AsRef<str>]) -> String {
    names.iter().map(|n| format!("HeaderName::from_static({})", rust_str(n.as_ref(), false))).collect::<Vec<_>>().join(", ")
}

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    let mut uses = vec!["axum::Router", "axum::routing::any", "tower_http::cors::CorsLayer"];
    let mut body = String::new();
    let demo = plan.demo_headers();
    let answer = |path: &str| {
        if demo.is_empty() {
            format!("\"{path}\\n\"")
        } else {
            let headers: Vec<String> = demo.iter().map(|h| format!("(HeaderName::from_static({}), \"1\")", rust_str(h, false))).collect();
            format!("([{}], \"{path}\\n\")", headers.join(", "))
        }
    };
    let _ = write!(
        body,
        "\n/// The app: `/data` and `/items` for any method, and axum's own 404\n\
         /// elsewhere, all behind the CORS layer.\n\
         pub fn app() -> Router {{\n    Router::new()\n        .route(\"/data\", any(|| async {{ {} }}))\n        .route(\"/items\", any(|| async {{ {} }}))\n\
         \x20       // `layer` wraps the routes and the fallback (the 404) alike; `route_layer`\n\
         \x20       // would leave the 404 without CORS headers.\n        .layer(cors())\n}}\n",
        answer("data"),
        answer("items")
    );
    let mut statics = String::new();
    let origin = match &plan.origins {
        Origins::Any => {
            uses.push("tower_http::cors::Any");
            "Any".to_owned()
        }
        Origins::List { exact, written, .. } if written.is_empty() => {
            uses.push("axum::http::HeaderValue");
            uses.push("tower_http::cors::AllowOrigin");
            let list: Vec<String> = exact.iter().map(|o| format!("HeaderValue::from_static({})", rust_str(o, false))).collect();
            format!("AllowOrigin::list([{}])", list.join(", "))
        }
        Origins::List { exact, written, .. } => {
            uses.extend(["axum::http::HeaderValue", "axum::http::request::Parts", "std::sync::LazyLock", "regex::Regex", "tower_http::cors::AllowOrigin"]);
            let regex = entries_regex(written.iter().map(String::as_str), Flavor::Rust).unwrap_or_default();
            let _ = write!(
                statics,
                "\n/// Exact origins, as browsers send them.\nconst EXACT: [&str; {}] = [{}];\n\n\
                 /// {}: anchored, dots escaped.\n\
                 static PATTERNS: LazyLock<Regex> =\n    LazyLock::new(|| Regex::new({}).expect(\"the origin regex compiles\"));\n\n\
                 /// Whether a request's `Origin` is allowed.\nfn allowed(origin: &HeaderValue, _request: &Parts) -> bool {{\n    origin.to_str().is_ok_and(|origin| EXACT.contains(&origin) || PATTERNS.is_match(origin))\n}}\n",
                exact.len(),
                exact.iter().map(|o| rust_str(o, false)).collect::<Vec<_>>().join(", "),
                written.join(", "),
                rust_str(&regex, true),
            );
            "AllowOrigin::predicate(allowed)".to_owned()
        }
    };
    let _ = write!(
        body,
        "{statics}\n/// The CORS layer. tower-http panics on credentials with `*` (origin, methods,\n\
         /// headers or exposed headers): a checked policy never has them together.\n\
         pub fn cors() -> CorsLayer {{\n    CorsLayer::new()\n        .allow_origin({origin})\n"
    );
    match plan.method_list() {
        None => {
            if !uses.contains(&"tower_http::cors::Any") {
                uses.push("tower_http::cors::Any");
            }
            body.push_str("        .allow_methods(Any)\n");
        }
        Some(list) => {
            uses.push("axum::http::Method");
            let methods: Vec<String> = list.iter().map(|m| method(m)).collect();
            let _ = writeln!(body, "        .allow_methods([{}])", methods.join(", "));
        }
    }
    let headers = plan.header_list();
    let needs_names = !plan.headers.is_empty() || !demo.is_empty() || (!plan.expose.is_empty() && plan.expose != ["*"]);
    if needs_names {
        uses.push("axum::http::HeaderName");
    }
    if headers == ["*"] {
        if !uses.contains(&"tower_http::cors::Any") {
            uses.push("tower_http::cors::Any");
        }
        body.push_str("        .allow_headers(Any)\n");
    } else if !headers.is_empty() {
        // "*" among names: sent as is ("*, authorization"), which tower-http
        // does not take for its wildcard.
        if plan.any_header {
            uses.push("axum::http::HeaderName");
        }
        let _ = writeln!(body, "        .allow_headers([{}])", header_names(&headers));
    }
    if plan.expose == ["*"] {
        if !uses.contains(&"tower_http::cors::Any") {
            uses.push("tower_http::cors::Any");
        }
        body.push_str("        .expose_headers(Any)\n");
    } else if !plan.expose.is_empty() {
        let _ = writeln!(body, "        .expose_headers([{}])", header_names(&plan.expose));
    }
    if plan.credentials {
        body.push_str("        .allow_credentials(true)\n");
    }
    if let Some(seconds) = plan.max_age.as_deref() {
        uses.push("std::time::Duration");
        let _ = writeln!(body, "        .max_age(Duration::from_secs({seconds}))");
    }
    body.push_str("}\n");
    crate::sort::sort_dedup(&mut uses);
    let mut cors = plan.banner("//!", Stack::Axum);
    cors.push_str("//!\n//! The app and its CORS layer; `main.rs` binds it to 127.0.0.1.\n\n");
    for path in &uses {
        let _ = writeln!(cors, "use {path};");
    }
    cors.push_str(&body);
    let main = format!(
        "//! A minimal axum app with the CORS layer of `cors.rs`, on 127.0.0.1:{port}.\n//! Run: cargo run --release\n\n\
         mod cors;\n\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {{\n    \
         let listener = tokio::net::TcpListener::bind((\"127.0.0.1\", {port})).await?;\n    \
         println!(\"listening on http://127.0.0.1:{port}\");\n    axum::serve(listener, cors::app()).await\n}}\n",
        port = plan.port
    );
    let patterns = matches!(&plan.origins, Origins::List { written, .. } if !written.is_empty());
    let cargo = format!(
        "[package]\nname = \"corslab-fix-axum\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\naxum = \"0.8.9\"\ntower-http = {{ version = \"0.7.1\", features = [\"cors\"] }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }}\n{}\n\
         # A project of its own, even when written inside another Cargo workspace.\n[workspace]\n",
        if patterns { "regex = \"1\"\n" } else { "" }
    );
    let notes = vec![
        "CorsLayer answers every OPTIONS with 200 and never refuses: a disallowed origin gets no Access-Control-Allow-Origin, and the browser blocks".to_owned(),
        "Vary lists Origin, Access-Control-Request-Method and Access-Control-Request-Headers on every answer (tower-http's default)".to_owned(),
    ];
    Ok(GeneratedApp {
        stack: Stack::Axum,
        files: vec![("src/cors.rs".to_owned(), cors), ("src/main.rs".to_owned(), main), ("Cargo.toml".to_owned(), cargo)],
        entry: "src/cors.rs".to_owned(),
        run: "cargo run --release".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened: None,
    })
}
