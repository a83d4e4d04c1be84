//! `corslab check` end to end: the binary against servers made here, each
//! built to have one flaw (or none), and servers that fail on the network.
//! Every server binds 127.0.0.1 and stops with the test (its runtime is
//! dropped).

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::routing::any;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LEGIT: &str = "https://app.example.com";

/// A runtime of its own serving one thing; dropping it stops it.
struct Served {
    port: u16,
    _runtime: tokio::runtime::Runtime,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

fn serve(router: Router) -> Served {
    let runtime = runtime();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(async move { axum::serve(listener, router).await });
    Served { port, _runtime: runtime }
}

/// A raw TCP server: `answer` gets each connection.
fn serve_raw<F, Fut>(answer: F) -> Served
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let runtime = runtime();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let answer = Arc::new(answer);
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream));
        }
    });
    Served { port, _runtime: runtime }
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", self.stdout, self.stderr))
    }

    fn finding_ids(&self) -> Vec<String> {
        self.json()["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect()
    }

    fn severity(&self, id: &str) -> String {
        let json = self.json();
        let found = json["findings"].as_array().unwrap().iter().find(|f| f["id"] == id).cloned();
        found.unwrap_or_else(|| panic!("no {id} in {}", self.stdout))["severity"].as_str().unwrap().to_owned()
    }
}

fn check(args: &[&str]) -> Ran {
    let out = Command::new(env!("CARGO_BIN_EXE_corslab")).arg("check").args(args).output().unwrap();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// How a server decides whether an origin is allowed.
type OriginCheck = fn(&str) -> bool;

/// A CORS server whose origin check is `allowed`: it echoes an allowed
/// origin with credentials, answers preflights 204 with PUT and any
/// header, `Vary: Origin` everywhere, and 404 (with the same CORS headers)
/// off `/data`.
fn cors_server(allowed: fn(&str) -> bool) -> Served {
    serve(Router::new().fallback(any(move |request: Request| async move { answer(&request, allowed, true) })))
}

fn answer(request: &Request, allowed: fn(&str) -> bool, vary: bool) -> Response {
    let origin = request.headers().get("origin").and_then(|o| o.to_str().ok()).unwrap_or_default().to_owned();
    let mut headers = HeaderMap::new();
    if allowed(&origin) {
        headers.insert("access-control-allow-origin", HeaderValue::from_str(&origin).unwrap());
        headers.insert("access-control-allow-credentials", HeaderValue::from_static("true"));
    }
    if vary {
        headers.insert("vary", HeaderValue::from_static("Origin"));
    }
    let preflight = request.method() == Method::OPTIONS;
    if preflight {
        headers.insert("access-control-allow-methods", HeaderValue::from_static("PUT, GET"));
        if let Some(h) = request.headers().get("access-control-request-headers") {
            headers.insert("access-control-allow-headers", h.clone());
        }
    }
    let status = if preflight {
        StatusCode::NO_CONTENT
    } else if request.uri().path() == "/data" {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    let mut response = Response::new(Body::from(if preflight { "" } else { "data" }));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn audit(port: u16) -> Ran {
    let url = format!("http://127.0.0.1:{port}/data");
    check(&[&url, "--origin", LEGIT, "--credentials", "include", "-b", "sid=1", "--audit", "--json"])
}

#[test]
fn each_flawed_server_raises_its_finding_and_a_correct_one_none() {
    let flaws: [(&str, OriginCheck); 7] = [
        ("origin-reflected", |o| !o.is_empty()),
        ("null-origin-allowed", |o| o == LEGIT || o == "null"),
        ("prefix-match", |o| o.starts_with(LEGIT)),
        ("suffix-match", |o| o.starts_with("https://") && o.ends_with("app.example.com")),
        // `^https://app.example.com$` with the dots unescaped.
        ("unescaped-dot", |o| {
            let pattern = LEGIT.as_bytes();
            o.len() == pattern.len() && o.bytes().zip(pattern).all(|(c, p)| *p == b'.' || c == *p)
        }),
        ("http-origin-trusted", |o| o.split_once("://").is_some_and(|(_, rest)| rest == "app.example.com")),
        ("any-subdomain-trusted", |o| o == LEGIT || (o.starts_with("https://") && o.ends_with(".app.example.com"))),
    ];
    for (id, allowed) in flaws {
        let server = cors_server(allowed);
        let ran = audit(server.port);
        let ids = ran.finding_ids();
        assert!(ids.contains(&id.to_owned()), "{id}: {ids:?}\n{}", ran.stderr);
        let severity = ran.severity(id);
        match id {
            "origin-reflected" => assert_eq!(severity, "critical"),
            "any-subdomain-trusted" => assert_eq!(severity, "medium"),
            _ => assert_eq!(severity, "high", "{id}"),
        }
        if id != "any-subdomain-trusted" {
            assert!(ids.contains(&"credentials-with-reflection".to_owned()), "{id}: {ids:?}");
            // The request itself passes, so a high finding is exit status 4.
            assert_eq!(ran.code, 4, "{id}: {}", ran.stderr);
        }
        // Only its own origin finding: the others were refused.
        let origin_findings = ["origin-reflected", "null-origin-allowed", "prefix-match", "suffix-match", "unescaped-dot", "http-origin-trusted", "any-subdomain-trusted"];
        let extra: Vec<&String> =
            ids.iter().filter(|i| origin_findings.contains(&i.as_str()) && i.as_str() != id).collect();
        // A reflecting server accepts every probe; an end-of-string match
        // accepts subdomains too (`evil.app.example.com` ends with the host).
        let expected_extra: &[&str] = match id {
            "origin-reflected" => &origin_findings,
            "suffix-match" => &["any-subdomain-trusted"],
            _ => &[],
        };
        assert!(extra.iter().all(|e| expected_extra.contains(&e.as_str())), "{id} also raised {extra:?}");
    }

    // The companion server's policy route: a correct, strict policy.
    let correct = serve(corslab_server::app(corslab_server::Config::default()));
    let url = format!(
        "http://127.0.0.1:{}/policy/audit/data?origin=https%3A%2F%2Fapp.example.com&method=PUT&credentials=true&max_age=600",
        correct.port
    );
    let ran = check(&[&url, "--origin", LEGIT, "--credentials", "include", "-X", "PUT", "--audit", "--json"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let ids = ran.finding_ids();
    // Only the address fact: the server runs on loopback.
    assert_eq!(ids, ["local-network-access"], "{}", ran.stdout);
}

#[test]
fn cache_and_error_path_findings() {
    // No Vary on an answer that depends on the origin.
    let no_vary = serve(Router::new().fallback(any(|request: Request| async move { answer(&request, |o| o == LEGIT, false) })));
    assert!(audit(no_vary.port).finding_ids().contains(&"missing-vary-origin".to_owned()));

    // Two Access-Control-Allow-Origin lines.
    let twice = serve(Router::new().fallback(any(|| async {
        let mut response = Response::new(Body::from("x"));
        response.headers_mut().append("access-control-allow-origin", HeaderValue::from_static(LEGIT));
        response.headers_mut().append("access-control-allow-origin", HeaderValue::from_static("*"));
        response
    })));
    let ran = audit(twice.port);
    assert!(ran.finding_ids().contains(&"duplicate-allow-origin".to_owned()), "{}", ran.stdout);
    assert_eq!(ran.code, 1, "two values block the request itself");

    // Errors without CORS headers.
    let bare_errors = serve(Router::new().fallback(any(|request: Request| async move {
        let mut response = answer(&request, |o| o == LEGIT, true);
        if response.status() == StatusCode::NOT_FOUND {
            response.headers_mut().clear();
        }
        response
    })));
    assert!(audit(bare_errors.port).finding_ids().contains(&"no-cors-on-errors".to_owned()));

    // A preflight redirected, and a max-age beyond every cap.
    let redirect = serve(Router::new().fallback(any(|request: Request| async move {
        let mut response = answer(&request, |o| o == LEGIT, true);
        if request.method() == Method::OPTIONS {
            *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
            response.headers_mut().insert("location", HeaderValue::from_static("/data/"));
        } else {
            response.headers_mut().insert("access-control-max-age", HeaderValue::from_static("100000"));
        }
        response
    })));
    let url = format!("http://127.0.0.1:{}/data", redirect.port);
    let ran = check(&[&url, "--origin", LEGIT, "-X", "PUT", "--audit", "--json"]);
    assert!(ran.finding_ids().contains(&"preflight-redirect".to_owned()), "{}", ran.stdout);
    assert_eq!(ran.code, 1);
    let big_age = serve(Router::new().fallback(any(|request: Request| async move {
        let mut response = answer(&request, |o| o == LEGIT, true);
        response.headers_mut().insert("access-control-max-age", HeaderValue::from_static("100000"));
        response
    })));
    let url = format!("http://127.0.0.1:{}/data", big_age.port);
    let ran = check(&[&url, "--origin", LEGIT, "-X", "PUT", "--audit", "--json"]);
    assert_eq!(ran.severity("max-age-over-cap"), "info");
    assert_eq!(ran.code, 0, "{}", ran.stderr);
}

#[test]
fn human_output_names_the_fix_and_the_console_line() {
    let server = serve(Router::new().fallback(any(|| async { "no CORS here" })));
    let url = format!("http://127.0.0.1:{}/data", server.port);
    let ran = check(&[&url, "--origin", "http://localhost:5050", "--browser", "all"]);
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.contains("BLOCKED (MissingAllowOriginHeader)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("BLOCKED (CORSMissingAllowOrigin)"), "{}", ran.stdout);
    assert!(ran.stdout.contains(&format!("console: Access to fetch at '{url}' from origin 'http://localhost:5050' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.")));
    assert!(ran.stdout.contains("send `Access-Control-Allow-Origin: http://localhost:5050`"), "{}", ran.stdout);
    // A server's escape sequence is shown, not sent to the terminal.
    let evil = serve(Router::new().fallback(any(|| async {
        let mut response = Response::new(Body::from("x"));
        // 0x9b is CSI in terminals that read C1 controls (obs-text in HTTP).
        response.headers_mut().insert("x-evil", HeaderValue::from_bytes(b"\x9b2Jgone").unwrap());
        response
    })));
    let url = format!("http://127.0.0.1:{}/", evil.port);
    let ran = check(&[&url, "--origin", "http://localhost:5050"]);
    assert!(!ran.stdout.contains('\u{9b}') && ran.stdout.contains("x-evil: \\x9b2Jgone"), "{}", ran.stdout);
}

/// `--fix STACK` after a blocked check: the app for the narrowest policy
/// that lets this request through, in that stack, listening on the checked
/// URL's port; nothing after a check that passed; and a usage error for a
/// stack CORS Lab does not write.
#[test]
fn fix_prints_the_narrowest_fix_in_the_chosen_stack() {
    let server = serve(Router::new().fallback(any(|| async { "no CORS here" })));
    let url = format!("http://127.0.0.1:{}/data", server.port);
    let ran = check(&[&url, "--origin", "http://localhost:5050", "-X", "PUT", "-H", "X-Token: 1", "--fix", "express"]);
    assert_eq!(ran.code, 1);
    let fix = ran.stdout.split("The fix in Express 5 + cors (corslab fix --stack express):").nth(1).unwrap_or_else(|| panic!("no fix: {}", ran.stdout));
    assert!(fix.contains("── app.js ──"), "{fix}");
    assert!(fix.contains("\"http://localhost:5050\""), "{fix}");
    assert!(fix.contains("methods: [\"GET\", \"HEAD\", \"POST\", \"PUT\"]"), "{fix}");
    assert!(fix.contains("allowedHeaders: [\"x-token\"]"), "{fix}");
    assert!(fix.contains(&format!("app.listen({}, \"127.0.0.1\"", server.port)), "{fix}");
    assert!(fix.contains("corslab fix --stack express --origin 'http://localhost:5050' --method 'PUT' --header 'x-token' --out DIR"), "{fix}");
    let nginx = check(&[&url, "--origin", "http://localhost:5050", "--fix", "nginx"]);
    assert!(nginx.stdout.contains("add_header Access-Control-Allow-Origin $cors_origin always;"), "{}", nginx.stdout);
    // A check that passes has nothing to fix.
    let open = cors_server(|_| true);
    let url = format!("http://127.0.0.1:{}/data", open.port);
    let ran = check(&[&url, "--origin", "http://localhost:5050", "--fix", "django"]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(!ran.stdout.contains("The fix in"), "{}", ran.stdout);
    let ran = check(&[&url, "--origin", "http://localhost:5050", "--fix", "spring"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}

#[test]
fn usage_errors_are_status_2_with_one_line() {
    for args in [
        vec!["http://127.0.0.1:9/", "--origin", "http://localhost:5050/"],
        vec!["http://127.0.0.1:9/", "--origin", "localhost:5050"],
        vec!["http://127.0.0.1:9/"],
        vec!["ftp://127.0.0.1/", "--origin", "http://a.test"],
        vec!["http://127.0.0.1:9/", "--origin", "http://a.test", "--nonsense"],
        vec!["http://127.0.0.1:9/", "--origin", "http://a.test", "--mode", "navigate"],
        vec!["http://127.0.0.1:9/", "--origin", "http://a.test", "-H", "no colon"],
        vec!["http://127.0.0.1:9/", "--origin", "http://a.test", "--max-time", "abc"],
    ] {
        let ran = check(&args);
        assert_eq!(ran.code, 2, "{args:?}: {}", ran.stderr);
        assert!(ran.stderr.starts_with("corslab check: "), "{args:?}: {}", ran.stderr);
        assert!(ran.stdout.is_empty());
    }
    let ran = check(&["--help"]);
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.contains("Exit status"));
}

#[test]
fn network_failures_are_status_3_with_a_reason() {
    let origin = "http://localhost:5050";
    // A refused port: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let ran = check(&[&format!("http://127.0.0.1:{port}/"), "--origin", origin]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("connection refused"), "{}", ran.stderr);

    // A server that never answers.
    let hang = serve_raw(|mut stream| async move {
        let mut buf = [0; 1024];
        let _ = stream.read(&mut buf).await;
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    });
    let started = std::time::Instant::now();
    let ran = check(&[&format!("http://127.0.0.1:{}/", hang.port), "--origin", origin, "--max-time", "1"]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("timed out"), "{}", ran.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // One that sends 10 MiB.
    let huge = serve_raw(|mut stream| async move {
        let mut buf = [0; 1024];
        let _ = stream.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: 10485760\r\n\r\n";
        let _ = stream.write_all(head.as_bytes()).await;
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..160 {
            if stream.write_all(&chunk).await.is_err() {
                return;
            }
        }
    });
    let ran = check(&[&format!("http://127.0.0.1:{}/", huge.port), "--origin", origin]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("larger than 4 MiB"), "{}", ran.stderr);

    // One that closes mid-answer.
    let cut = serve_raw(|mut stream| async move {
        let mut buf = [0; 1024];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort").await;
    });
    let ran = check(&[&format!("http://127.0.0.1:{}/", cut.port), "--origin", origin]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("answer is broken"), "{}", ran.stderr);

    // One whose header is a megabyte long.
    let big_head = serve_raw(|mut stream| async move {
        let mut buf = [0; 1024];
        let _ = stream.read(&mut buf).await;
        let head = format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\nContent-Length: 0\r\n\r\n", "a".repeat(1 << 20));
        let _ = stream.write_all(head.as_bytes()).await;
    });
    let ran = check(&[&format!("http://127.0.0.1:{}/", big_head.port), "--origin", origin]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);

    // A name that does not resolve (`.invalid` never does).
    let ran = check(&["http://corslab.invalid/", "--origin", origin, "--max-time", "5"]);
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(ran.stderr.contains("cannot resolve"), "{}", ran.stderr);
}

#[test]
fn https_with_a_certificate_made_here() {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let dir = std::env::temp_dir().join(format!("corslab-check-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("cert.pem");
    std::fs::File::create(&ca).unwrap().write_all(key.cert.pem().as_bytes()).unwrap();

    let runtime = runtime();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let port = listener.local_addr().unwrap().port();
    let certs = vec![key.cert.der().clone()];
    let private = rustls::pki_types::PrivateKeyDer::try_from(key.signing_key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, private)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let router = Router::new().fallback(any(|request: Request| async move { answer(&request, |o| o == LEGIT, true) }));
    runtime.spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let router = router.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(stream).await else { return };
                let service = hyper_util::service::TowerToHyperService::new(router);
                let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(tls), service).await;
            });
        }
    });

    let url = format!("https://localhost:{port}/data");
    let ran = check(&[&url, "--origin", LEGIT]);
    assert_eq!(ran.code, 3, "an unknown issuer is a TLS failure: {}", ran.stderr);
    assert!(ran.stderr.contains("TLS handshake with localhost failed"), "{}", ran.stderr);
    let ca_arg = ca.display().to_string();
    let ran = check(&[&url, "--origin", LEGIT, "--cacert", &ca_arg, "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.json()["browsers"]["chrome"]["outcome"], "ok");
    let ran = check(&[&url, "--origin", LEGIT, "--insecure"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let ran = check(&[&url, "--origin", LEGIT, "--cacert", "/nonexistent.pem"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Validates `value` against the subset of JSON Schema that
/// `docs/cors-check-1.schema.json` uses, more strictly than the standard:
/// an object property the schema does not describe is an error, so the
/// documentation cannot fall behind the output.
fn validate(schema: &serde_json::Value, root: &serde_json::Value, value: &serde_json::Value, path: &str, errors: &mut Vec<String>) {
    use serde_json::Value;
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.trim_start_matches("#/$defs/");
        return validate(&root["$defs"][name], root, value, path, errors);
    }
    if let Some(expected) = schema.get("const")
        && value != expected
    {
        errors.push(format!("{path}: {value} is not {expected}"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{path}: {value} is not one of {options:?}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let accepted = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !accepted {
            errors.push(format!("{path}: a {actual}, expected {types:?}"));
            return;
        }
    }
    if let Value::Object(map) = value {
        for key in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let key = key.as_str().unwrap_or_default();
            if !map.contains_key(key) {
                errors.push(format!("{path}: missing {key}"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in map {
            let child = format!("{path}.{key}");
            if let Some(names) = schema.get("propertyNames") {
                validate(names, root, &Value::String(key.clone()), &child, errors);
            }
            match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
                (Some(s), _) | (None, Some(s)) => validate(s, root, item, &child, errors),
                (None, None) if properties.is_some() => errors.push(format!("{child}: not in the schema")),
                (None, None) => {}
            }
        }
    }
    if let Value::Array(items) = value {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            errors.push(format!("{path}: fewer than {min} items"));
        }
        if let Some(max) = schema.get("maxItems").and_then(Value::as_u64)
            && (items.len() as u64) > max
        {
            errors.push(format!("{path}: more than {max} items"));
        }
        let prefix = schema.get("prefixItems").and_then(Value::as_array);
        for (i, item) in items.iter().enumerate() {
            let child = format!("{path}[{i}]");
            match (prefix.and_then(|p| p.get(i)), schema.get("items")) {
                (Some(s), _) | (None, Some(s)) => validate(s, root, item, &child, errors),
                (None, None) => {}
            }
        }
    }
}

#[test]
fn every_json_report_follows_the_documented_schema() {
    let schema_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/cors-check-1.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    let flawed = cors_server(|o| !o.is_empty());
    let bare = serve(Router::new().fallback(any(|| async { "no CORS" })));
    let policy = serve(corslab_server::app(corslab_server::Config::default()));
    let reports = [
        audit(flawed.port),
        check(&[&format!("http://127.0.0.1:{}/data", bare.port), "--origin", "http://localhost:5050", "--browser", "all", "--json", "-X", "PUT", "--data", "x"]),
        check(&[&format!("http://127.0.0.1:{}/data", bare.port), "--origin", "http://localhost:5050", "--json", "--mode", "same-origin"]),
        check(&[&format!("http://127.0.0.1:{}/data", bare.port), "--origin", "null", "--json", "--mode", "no-cors"]),
        check(&[
            &format!("http://127.0.0.1:{}/policy/s/data?origin=http%3A%2F%2Flocalhost%3A5050&max_age=100000", policy.port),
            "--origin",
            "http://localhost:5050",
            "-H",
            "X-A: 1",
            "--audit",
            "--json",
        ]),
    ];
    for ran in &reports {
        let mut errors = Vec::new();
        validate(&schema, &schema, &ran.json(), "$", &mut errors);
        assert!(errors.is_empty(), "{}\n{}", errors.join("\n"), ran.stdout);
    }
    // The validator itself: a field gone, a field undocumented, a wrong type.
    let mut broken = reports[0].json();
    broken.as_object_mut().unwrap().remove("passed");
    broken["browsers"]["chrome"]["surprise"] = serde_json::json!(1);
    broken["findings"][0]["severity"] = serde_json::json!("dire");
    let mut errors = Vec::new();
    validate(&schema, &schema, &broken, "$", &mut errors);
    assert_eq!(errors.len(), 3, "{errors:?}");
}

#[test]
fn a_devtools_copy_is_checked_as_the_page_sent_it() {
    let server = cors_server(|o| o == "http://localhost:5050");
    let url = format!("http://127.0.0.1:{}/data", server.port);
    // Chromium 156's "Copy as cURL (bash)" of a preflighted PUT.
    let copy = format!(
        "curl '{url}' \\\n  -X 'PUT' \\\n  -H 'Accept: */*' \\\n  -H 'Content-Type: application/json' \\\n  -H 'Origin: http://localhost:5050' \\\n  -H 'Referer: http://localhost:5050/' \\\n  -H 'Sec-Fetch-Mode: cors' \\\n  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \\\n  -H 'X-Request-Id: 42' \\\n  -H 'sec-ch-ua-mobile: ?0' \\\n  --data-raw $'{{\"a\":\"it\\'s\"}}'"
    );
    let ran = check(&["--from-curl", &copy, "--json"]);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let json = ran.json();
    assert_eq!(json["origin"], "http://localhost:5050");
    assert_eq!(json["request"]["method"], "PUT");
    assert_eq!(json["request"]["body"], "{\"a\":\"it's\"}");
    assert_eq!(json["request"]["headers"], serde_json::json!([["Content-Type", "application/json"], ["X-Request-Id", "42"]]));
    assert_eq!(json["browsers"]["chrome"]["preflight"], true);
    // What fetch() could not have set is named, not silently lost.
    assert!(ran.stderr.contains("left out") && ran.stderr.contains("Sec-Fetch-Mode") && ran.stderr.contains("Origin"), "{}", ran.stderr);
    // An explicit flag wins over the copy.
    let ran = check(&["--from-curl", &copy, "--origin", "http://localhost:3000"]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    // A broken copy is a usage error naming what is wrong.
    let ran = check(&["--from-curl", "curl 'http://a.test/ -H 'X: 1'"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.starts_with("corslab check: --from-curl: "), "{}", ran.stderr);
}

#[test]
fn the_page_url_is_the_referer_of_same_origin_requests_only() {
    let server = serve(Router::new().fallback(any(|request: Request| async move {
        let referer = request.headers().get("referer").and_then(|r| r.to_str().ok()).unwrap_or("(none)").to_owned();
        let mut response = Response::new(Body::from("x"));
        response.headers_mut().insert("x-got-referer", HeaderValue::from_str(&referer).unwrap());
        response
    })));
    let url = format!("http://127.0.0.1:{}/data", server.port);
    let same = format!("http://127.0.0.1:{}/app/page?x=1#top", server.port);
    let ran = check(&[&url, "-e", &same, "--json"]);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let sent = &ran.json()["browsers"]["chrome"]["exchanges"][0]["response"]["headers"];
    assert!(sent.to_string().contains(&format!("http://127.0.0.1:{}/app/page?x=1\"", server.port)), "{sent}");
    let ran = check(&[&url, "--origin", "http://localhost:5050", "-e", "http://localhost:3000/"]);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}
