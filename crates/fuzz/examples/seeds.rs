//! Writes the seed corpora (`corpus/TARGET/seed-*`) from the project's
//! real data: the recorded scenario files, the HARs, the WPT MIME and URL
//! vectors, the console lines the browsers printed, the cURL and fetch
//! copies of the core's tests. Run from anywhere:
//!
//! ```sh
//! cargo run -p corslab-fuzz --example seeds
//! ```
//!
//! It only adds or rewrites `seed-*` files; what the fuzzer found (other
//! names) is kept. `make fuzz` then minimises each corpus with `afl-cmin`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Prepared, Responder, ScenarioFile, ScriptedResponse, substitute};
use serde_json::{Value, json};

type Seeds = Vec<(String, Vec<u8>)>;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let core = here.join("../core");
    let testdata = core.join("testdata");
    let corpus = here.join("corpus");

    let mut scenario_files = Vec::new();
    for name in ["recorded.json", "frontier.json"] {
        let text = fs::read_to_string(testdata.join("scenarios").join(name))?;
        scenario_files.push((name.trim_end_matches(".json").to_owned(), text));
    }

    write(&corpus, "origin", origins(&testdata)?)?;
    write(&corpus, "mime", mimes(&testdata)?)?;
    write(&corpus, "headers", headers(&scenario_files)?)?;
    write(&corpus, "replay", replays(&scenario_files)?)?;
    write(&corpus, "policy", policies())?;
    write(&corpus, "scenario", scenarios(&scenario_files)?)?;
    write(&corpus, "har", hars(&testdata)?)?;
    write(&corpus, "console", consoles(&scenario_files)?)?;
    write(&corpus, "curl", literals(&core.join("tests/curl_copy.rs"), "curl ")?)?;
    write(&corpus, "fetch-copy", literals(&core.join("tests/fetch_copy.rs"), "fetch(")?)?;
    let inputs = engine_inputs(&scenario_files)?;
    write(&corpus, "check", inputs.clone())?;
    write(&corpus, "decide", inputs)?;
    Ok(())
}

/// Writes `seeds` as `corpus/TARGET/seed-NAME`, each content once.
fn write(corpus: &Path, target: &str, seeds: Seeds) -> std::io::Result<()> {
    let dir: PathBuf = corpus.join(target);
    fs::create_dir_all(&dir)?;
    let mut seen = BTreeSet::new();
    let mut written = 0;
    for (name, bytes) in seeds {
        if bytes.is_empty() || bytes.len() > corslab_fuzz::MAX_INPUT_LEN || !seen.insert(bytes.clone()) {
            continue;
        }
        let name: String =
            name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(60).collect();
        fs::write(dir.join(format!("seed-{name}")), bytes)?;
        written += 1;
    }
    println!("{target}: {written} seeds");
    Ok(())
}

/// WPT's URL vectors' origins (and inputs), plus the spellings the origin
/// parser refuses and the policy's patterns.
fn origins(testdata: &Path) -> Result<Seeds, Box<dyn std::error::Error>> {
    let vectors: Value = serde_json::from_str(&fs::read_to_string(testdata.join("wpt/urltestdata.json"))?)?;
    let mut seeds: Seeds = Vec::new();
    let mut origins = BTreeSet::new();
    for v in vectors.as_array().into_iter().flatten() {
        if let Some(origin) = v.get("origin").and_then(Value::as_str) {
            origins.insert(origin.to_owned());
        }
    }
    for (i, origin) in origins.iter().enumerate() {
        seeds.push((format!("wpt-{i}"), origin.clone().into_bytes()));
    }
    for (i, text) in [
        "http://localhost:5050",
        "https://app.example.com",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "null",
        "http://example.com:80",
        "https://example.com/",
        "HTTPS://EXAMPLE.COM",
        "https://user@example.com",
        "example.com",
        "https://*.example.com",
        "http://localhost:*",
        "https://*.co.uk",
        "https://xn--nxasmq6b.example",
        "https://a.example.com, https://b.example.com",
    ]
    .iter()
    .enumerate()
    {
        seeds.push((format!("own-{i}"), text.as_bytes().to_vec()));
    }
    Ok(seeds)
}

/// WPT's MIME type vectors' inputs.
fn mimes(testdata: &Path) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for name in ["mime-types.json", "generated-mime-types.json"] {
        let vectors: Value = serde_json::from_str(&fs::read_to_string(testdata.join("wpt").join(name))?)?;
        for (i, v) in vectors.as_array().into_iter().flatten().enumerate() {
            if let Some(input) = v.get("input").and_then(Value::as_str) {
                seeds.push((format!("{}-{i}", name.trim_end_matches(".json")), input.as_bytes().to_vec()));
            }
        }
    }
    Ok(seeds)
}

/// Every scripted answer's header lines (`Name: value`), one answer a seed.
fn headers(files: &[(String, String)]) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for (file, text) in files {
        let parsed = ScenarioFile::parse(text)?;
        for s in &parsed.scenarios {
            let mut answers: Vec<(&str, &ScriptedResponse)> = vec![("response", &s.response)];
            if let Some(preflight) = &s.preflight_response {
                answers.push(("preflight", preflight));
            }
            for (kind, answer) in answers {
                let mut out = String::new();
                for (name, value) in &answer.headers {
                    let _ = writeln!(out, "{name}: {}", substitute(value, "http://page.test", "http://api.test/data"));
                }
                for (name, value) in &s.request.headers {
                    let _ = writeln!(out, "{name}: {value}");
                }
                seeds.push((format!("{file}-{}-{kind}", s.id), out.into_bytes()));
            }
        }
    }
    Ok(seeds)
}

/// Each scenario's replay query, as `verify` asks the companion server.
fn replays(files: &[(String, String)]) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for (file, text) in files {
        for s in &ScenarioFile::parse(text)?.scenarios {
            let (spec, _) = ReplaySpec::from_scenario(s, s.page_origin());
            seeds.push((format!("{file}-{}", s.id), spec.to_query().into_bytes()));
        }
    }
    Ok(seeds)
}

/// Policies as queries (with a request to answer) and as JSON.
fn policies() -> Seeds {
    let queries = [
        "origin=http://localhost:5050\nhttp://localhost:5050\nPUT\nx-custom",
        "origin=https://app.example.com&origin=https://*.example.org&method=PUT&header=X-Custom&credentials=true&max_age=600\nhttps://a.example.org\nPUT\nx-custom,authorization",
        "origin=*&method=*&header=*&expose=*\nhttp://page.test\nDELETE\ncontent-type",
        "origin=http://localhost:*&method=GET&method=PATCH&expose=X-Total&max_age=-1\nhttp://localhost:3000\nPATCH\n",
        "origin=null&method=TRACE&header=Cookie&credentials=yes&max_age=99999999&extra=1\nnull\nTRACE\ncookie",
        "origin=*&credentials=true\nhttp://page.test\nGET\n",
        "origin=https://*.co.uk&origin=HTTP://A.EXAMPLE&method=get\nhttps://x.co.uk\nget\n",
    ];
    let json = [
        json!({"origins": ["https://app.example.com"], "methods": ["PUT"], "headers": ["X-Custom"], "expose": [], "credentials": true, "max_age": "600"}),
        json!({"origins": ["*"], "methods": ["*"], "headers": ["*"], "expose": ["*"], "credentials": false, "max_age": null}),
        json!({"origins": ["http://localhost:*", "https://*.example.org"], "methods": [], "headers": ["Authorization"], "expose": ["X-Request-Id"], "credentials": false, "max_age": "0"}),
    ];
    let mut seeds: Seeds = queries.iter().enumerate().map(|(i, q)| (format!("query-{i}"), q.as_bytes().to_vec())).collect();
    seeds.extend(json.iter().enumerate().map(|(i, j)| (format!("json-{i}"), j.to_string().into_bytes())));
    seeds
}

/// Each scenario alone in a file of its format.
fn scenarios(files: &[(String, String)]) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for (file, text) in files {
        let whole: Value = serde_json::from_str(text)?;
        for s in whole["scenarios"].as_array().into_iter().flatten() {
            let one = json!({"format": whole["format"], "scenarios": [s]});
            let id = s["id"].as_str().unwrap_or("scenario");
            seeds.push((format!("{file}-{id}"), serde_json::to_vec(&one)?));
        }
    }
    Ok(seeds)
}

/// Each HAR cut into small HARs of a few consecutive entries (a preflight
/// and its request stay together), the log's other members kept.
fn hars(testdata: &Path) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for entry in fs::read_dir(testdata.join("har"))? {
        let path = entry?.path();
        if path.extension().is_none_or(|e| e != "har") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("har").to_owned();
        let whole: Value = serde_json::from_str(&fs::read_to_string(&path)?)?;
        let entries = whole["log"]["entries"].as_array().cloned().unwrap_or_default();
        for (i, chunk) in entries.chunks(3).enumerate() {
            let mut log = whole["log"].clone();
            log["entries"] = Value::Array(chunk.to_vec());
            seeds.push((format!("{stem}-{i}"), serde_json::to_vec(&json!({"log": log}))?));
        }
    }
    Ok(seeds)
}

/// Every console line the browsers printed, placeholders filled.
fn consoles(files: &[(String, String)]) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for (file, text) in files {
        let whole: Value = serde_json::from_str(text)?;
        for s in whole["scenarios"].as_array().into_iter().flatten() {
            let id = s["id"].as_str().unwrap_or("scenario");
            for (browser, expect) in s["expect"].as_object().into_iter().flatten() {
                if let Some(line) = expect.get("console").and_then(Value::as_str) {
                    let line = substitute(line, "http://localhost:5050", "http://localhost:8080/data");
                    seeds.push((format!("{file}-{id}-{browser}"), line.into_bytes()));
                }
            }
        }
    }
    Ok(seeds)
}

/// The Rust string literals of a test file that start with `prefix`:
/// raw strings (`r"…"`, `r#"…"#`) as written, plain ones unescaped by JSON's
/// rules (which cover the tests' `\"`, `\\` and `\n`).
fn literals(path: &Path, prefix: &str) -> Result<Seeds, Box<dyn std::error::Error>> {
    let source = fs::read_to_string(path)?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("test").to_owned();
    let mut seeds = Vec::new();
    let mut rest = source.as_str();
    while let Some(at) = rest.find('"') {
        let before = &rest[..at];
        let hashes = before.len() - before.trim_end_matches('#').len();
        let is_raw = before.trim_end_matches('#').ends_with('r');
        let body = &rest[at + 1..];
        let (text, consumed) = if is_raw {
            let close = format!("\"{}", "#".repeat(hashes));
            let Some(end) = body.find(&close) else { break };
            (body[..end].to_owned(), end + close.len())
        } else {
            let bytes = body.as_bytes();
            let mut end = 0;
            while end < bytes.len() && bytes[end] != b'"' {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let literal = body.get(..end).unwrap_or(body);
            let text = serde_json::from_str::<String>(&format!("\"{literal}\"")).unwrap_or_else(|_| literal.to_owned());
            (text, end + 1)
        };
        if text.trim_start().starts_with(prefix) {
            seeds.push((format!("{stem}-{}", seeds.len()), text.into_bytes()));
        }
        rest = body.get(consumed..).unwrap_or_default();
    }
    Ok(seeds)
}

/// Each scenario as the `decide` and `check` targets read one
/// ([`corslab_fuzz::input`]), with its browsers.
fn engine_inputs(files: &[(String, String)]) -> Result<Seeds, Box<dyn std::error::Error>> {
    let mut seeds = Vec::new();
    for (file, text) in files {
        for s in &ScenarioFile::parse(text)?.scenarios {
            let Ok(prepared) = s.prepare() else { continue };
            seeds.push((format!("{file}-{}", s.id), input_text(&prepared).into_bytes()));
        }
    }
    Ok(seeds)
}

fn input_text(p: &Prepared) -> String {
    let mut out = String::new();
    let call = &p.call;
    let _ = writeln!(out, "page {}\nurl {}\nmethod {}", p.page, call.url, call.method);
    for (name, value) in &call.headers {
        let _ = writeln!(out, "header {name}: {value}");
    }
    if let Some(body) = &call.body {
        let _ = writeln!(out, "body {body}");
    }
    let _ = writeln!(out, "mode {}\ncredentials {}", call.mode.as_str(), call.credentials.as_str());
    let setup = &p.setup;
    let _ = writeln!(out, "redirect {}\ncontext {}", setup.redirect.as_str(), setup.context.as_str());
    for (origin, space) in &setup.network.address_space {
        let space = serde_json::to_value(space).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let _ = writeln!(out, "space {origin} {space}");
    }
    for grant in &setup.network.grant {
        let _ = writeln!(out, "grant {grant}");
    }
    for (name, value) in &setup.network.firefox_prefs {
        let value = serde_json::to_string(value).unwrap_or_default();
        let _ = writeln!(out, "pref {name} {value}");
    }
    for switch in &setup.network.chromium_switches {
        let _ = writeln!(out, "switch {switch}");
    }
    if p.repeat > 1 {
        let _ = writeln!(out, "repeat {}", p.repeat);
    }
    answers(&mut out, None, &p.responder);
    for (url, responder) in &p.hops {
        answers(&mut out, Some(url), responder);
    }
    out
}

fn answers(out: &mut String, at: Option<&str>, responder: &Responder) {
    if let Some(url) = at {
        let _ = writeln!(out, "at {url}");
    }
    for (kind, answer) in [("preflight", &responder.preflight), ("response", &responder.response)] {
        let _ = writeln!(out, "{kind} {}", answer.status);
        for (name, value) in answer.headers.iter() {
            let _ = writeln!(out, "h {}: {value}", name.as_str());
        }
    }
}
