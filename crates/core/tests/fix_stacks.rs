//! The origin regexes the stack generators write agree with the policy's
//! own matcher (`AllowOrigin::allows`) on every origin a browser can send:
//! checked on a grid of look-alike origins and on random ones (proptest),
//! for every regex dialect, with a small regex matcher for the subset the
//! generators emit (anchors, literals, escapes, classes, groups,
//! alternation, `+ * ?`).
//!
//! The real engines (JavaScript's, Python's `re`, nginx's PCRE, Rust's
//! `regex`) are exercised by `corslab test-fixes`, which runs each
//! generated app against the real stack.

#![cfg(not(target_arch = "wasm32"))]

use corslab::Origin;
use corslab::fix::stacks::origin_regex::{Flavor, entries_regex, entry_regex};
use corslab::fix::stacks::{AppOptions, GenerateError, Stack, generate};
use corslab::policy::{CorsPolicy, PolicyConfig};
use proptest::prelude::*;

/// A node of the regex subset.
#[derive(Debug)]
enum Node {
    Char(char),
    Any,
    Class { negated: bool, ranges: Vec<(char, char)> },
    Group(Vec<Vec<Node>>),
    Repeat(Box<Node>, usize, Option<usize>),
    Start,
    End,
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
}

impl Parser<'_> {
    fn alternation(&mut self) -> Vec<Vec<Node>> {
        let mut alternatives = vec![self.sequence()];
        while self.chars.peek() == Some(&'|') {
            self.chars.next();
            alternatives.push(self.sequence());
        }
        alternatives
    }

    fn sequence(&mut self) -> Vec<Node> {
        let mut out = Vec::new();
        while let Some(&c) = self.chars.peek() {
            if c == '|' || c == ')' {
                break;
            }
            self.chars.next();
            let atom = match c {
                '(' => {
                    if self.chars.peek() == Some(&'?') {
                        self.chars.next();
                        assert_eq!(self.chars.next(), Some(':'), "only (?: groups");
                    }
                    let group = self.alternation();
                    assert_eq!(self.chars.next(), Some(')'), "unclosed group");
                    Node::Group(group)
                }
                '[' => self.class(),
                '\\' => match self.chars.next().expect("an escape") {
                    'Z' | 'z' => Node::End,
                    other => Node::Char(other),
                },
                '^' => Node::Start,
                '$' => Node::End,
                '.' => Node::Any,
                other => Node::Char(other),
            };
            let atom = match self.chars.peek() {
                Some('+') => Node::Repeat(Box::new(atom), 1, None),
                Some('*') => Node::Repeat(Box::new(atom), 0, None),
                Some('?') => Node::Repeat(Box::new(atom), 0, Some(1)),
                _ => {
                    out.push(atom);
                    continue;
                }
            };
            self.chars.next();
            out.push(atom);
        }
        out
    }

    fn class(&mut self) -> Node {
        let negated = self.chars.peek() == Some(&'^');
        if negated {
            self.chars.next();
        }
        let mut ranges = Vec::new();
        loop {
            let c = match self.chars.next().expect("an unclosed class") {
                ']' => break,
                '\\' => self.chars.next().expect("an escape"),
                c => c,
            };
            if self.chars.peek() == Some(&'-') {
                let mut ahead = self.chars.clone();
                ahead.next();
                if let Some(&end) = ahead.peek()
                    && end != ']'
                {
                    self.chars.next();
                    let end = self.chars.next().expect("a range end");
                    ranges.push((c, end));
                    continue;
                }
            }
            ranges.push((c, c));
        }
        Node::Class { negated, ranges }
    }
}

fn parse(regex: &str) -> Vec<Vec<Node>> {
    let mut parser = Parser { chars: regex.chars().peekable() };
    let out = parser.alternation();
    assert!(parser.chars.next().is_none(), "{regex}: trailing text");
    out
}

fn seq(nodes: &[Node], s: &[char], i: usize, k: &dyn Fn(usize) -> bool) -> bool {
    match nodes.split_first() {
        None => k(i),
        Some((node, rest)) => one(node, s, i, &|j| seq(rest, s, j, k)),
    }
}

fn one(node: &Node, s: &[char], i: usize, k: &dyn Fn(usize) -> bool) -> bool {
    match node {
        Node::Char(c) => s.get(i) == Some(c) && k(i + 1),
        Node::Any => s.get(i).is_some_and(|c| *c != '\n') && k(i + 1),
        Node::Class { negated, ranges } => {
            s.get(i).is_some_and(|c| ranges.iter().any(|(a, b)| (a..=b).contains(&c)) != *negated) && k(i + 1)
        }
        Node::Group(alternatives) => alternatives.iter().any(|a| seq(a, s, i, k)),
        Node::Repeat(inner, min, max) => repeat(inner, *min, *max, s, i, k, 0),
        Node::Start => i == 0 && k(i),
        Node::End => i == s.len() && k(i),
    }
}

fn repeat(inner: &Node, min: usize, max: Option<usize>, s: &[char], i: usize, k: &dyn Fn(usize) -> bool, n: usize) -> bool {
    (max.is_none_or(|m| n < m) && one(inner, s, i, &|j| j != i && repeat(inner, min, max, s, j, k, n + 1)))
        || (n >= min && k(i))
}

/// Whether `regex` (anchored) matches `text`.
fn matches(regex: &str, text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    parse(regex).iter().any(|a| seq(a, &chars, 0, &|_| true))
}

const FLAVORS: [Flavor; 4] = [Flavor::JavaScript, Flavor::Python, Flavor::Pcre, Flavor::Rust];

/// Policy entries whose regexes are checked.
const ENTRIES: &[&str] = &[
    "https://*.example.com",
    "https://*.example.com:8443",
    "https://*.example.com:*",
    "http://*.a-b.example.org",
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://app.example.com",
    "http://localhost:5050",
];

/// Whether a browser could send `origin`.
fn sendable(origin: &str) -> bool {
    Origin::parse(origin).is_ok()
}

fn check(entry: &str, candidate: &str) {
    let policy = CorsPolicy::new(&PolicyConfig::new().allow_origin(entry)).expect("a valid entry");
    let core = policy.origins().allows(candidate);
    for flavor in FLAVORS {
        let regex = entry_regex(entry, flavor).expect("an origin or a pattern");
        assert_eq!(matches(&regex, candidate), core, "{entry} as {regex} ({flavor:?}) on {candidate:?}: the core says {core}");
    }
}

#[test]
fn the_matcher_reads_the_subset() {
    assert!(matches(r"^a(?:b|c)+\Z", "abcb"));
    assert!(!matches(r"^a(?:b|c)+$", "a"));
    assert!(matches(r"^[^/:]+\.x$", "a.b.x"));
    assert!(!matches(r"^[^/:]+\.x$", "a/b.x"));
    assert!(matches(r"^h(?::[0-9]+)?$", "h:80"));
    assert!(matches(r"^h(?::[0-9]+)?$", "h"));
    assert!(!matches(r"^h(?::[0-9]+)?$", "h:"));
    assert!(matches(r"^https:\/\/a$", "https://a"));
    assert!(matches(r"^\[::1\]$", "[::1]"));
}

#[test]
fn regexes_agree_with_the_policy_on_a_grid_of_look_alikes() {
    let prefixes = [
        "", "a.", "app.", "a.b.", "..", ".", "evil", "evil-", "x.evil.", "a_b.", "$.", "-.", "0.", "xn--bcher-kva.", "app.example.com.",
    ];
    let bases = [
        "example.com", "example.com.evil.example", "xexample.com", "examplexcom", "example.co", "a-b.example.org", "example.org",
        "localhost", "localhost.evil.example", "evillocalhost", "127.0.0.1", "127.0.0.2", "[::1]", "[::2]", "app.example.com",
    ];
    let ports = ["", ":80", ":443", ":3000", ":5050", ":8443", ":0", ":65535", ":8443x", ":"];
    let mut checked = 0;
    for entry in ENTRIES {
        for scheme in ["http", "https", "ws"] {
            for prefix in prefixes {
                for base in bases {
                    for port in ports {
                        let candidate = format!("{scheme}://{prefix}{base}{port}");
                        if sendable(&candidate) {
                            check(entry, &candidate);
                            checked += 1;
                        }
                    }
                }
            }
        }
        check(entry, "null");
    }
    assert!(checked > 5_000, "only {checked} origins checked");
}

#[test]
fn one_regex_for_several_entries_is_their_union() {
    let entries = ["https://app.example.com", "https://*.example.org", "http://localhost:*"];
    let config = entries.iter().fold(PolicyConfig::new(), |c, e| c.allow_origin(*e));
    let policy = CorsPolicy::new(&config).unwrap();
    for flavor in FLAVORS {
        let regex = entries_regex(entries, flavor).unwrap();
        for candidate in [
            "https://app.example.com", "https://a.example.org", "https://example.org", "http://localhost", "http://localhost:1",
            "https://app.example.com.evil.example", "http://app.example.com", "https://localhost:1", "null",
        ] {
            assert_eq!(matches(&regex, candidate), policy.origins().allows(candidate), "{regex} on {candidate}");
        }
    }
}

/// A host label from the characters a canonical host may hold.
fn label() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-z0-9_$!'*+=~-]{1,6}").expect("a valid regex")
}

proptest! {
    #[test]
    fn regexes_agree_with_the_policy_on_random_origins(
        entry in proptest::sample::select(ENTRIES),
        scheme in proptest::sample::select(&["http", "https"][..]),
        labels in proptest::collection::vec(label(), 0..4),
        base in proptest::sample::select(&["example.com", "a-b.example.org", "localhost", "example.org", "evil.example", "127.0.0.1"][..]),
        port in proptest::option::of(0u16..=65535),
        glue in proptest::sample::select(&[".", "", "-"][..]),
    ) {
        let mut host = labels.join(".");
        if !host.is_empty() {
            host.push_str(glue);
        }
        host.push_str(base);
        let candidate = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        if sendable(&candidate) {
            check(entry, &candidate);
        }
    }
}

#[test]
fn what_a_stack_cannot_express_is_explained() {
    let unsupported = |stack: Stack, config: &PolicyConfig| match generate(stack, config, &AppOptions::default()) {
        Err(GenerateError::Unsupported { why, .. }) => why.join(" "),
        other => panic!("{stack}: expected an explanation, got {other:?}"),
    };
    let any_header = PolicyConfig::new().allow_origin("https://app.example.com").allow_header("*");
    assert!(unsupported(Stack::FastApi, &any_header).contains("Authorization"));
    assert!(unsupported(Stack::Flask, &any_header).contains("Authorization"));
    for stack in [Stack::Express, Stack::Django, Stack::Nginx, Stack::Axum] {
        let app = generate(stack, &any_header, &AppOptions::default()).unwrap();
        assert!(app.entry_text().contains('*'), "{stack}: sends * as is");
    }
    let lower = PolicyConfig::new().allow_origin("https://app.example.com").allow_method("patch");
    assert!(unsupported(Stack::Flask, &lower).contains("PATCH"));
    let no_cache = PolicyConfig::new().allow_origin("https://app.example.com").max_age(-1);
    assert!(unsupported(Stack::Django, &no_cache).contains("Max-Age"));
    let any_method = PolicyConfig::new().allow_origin("*").allow_method("*");
    assert!(unsupported(Stack::FastApi, &any_method).contains("method"));
}

#[test]
fn generated_snippets_carry_the_placement_rules() {
    let config = PolicyConfig::new()
        .allow_origin("https://app.example.com")
        .allow_origin("https://*.example.org")
        .allow_method("PUT")
        .allow_header("X-Custom")
        .expose_header("X-Request-Id")
        .credentials(true)
        .max_age(600);
    let app = |stack| generate(stack, &config, &AppOptions { port: 9000 }).unwrap();
    let express = app(Stack::Express);
    assert!(express.entry_text().contains("app.use(cors(corsOptions));"));
    assert!(express.entry_text().contains(r"/^https:\/\/[^\/:]+\.example\.org$/"));
    assert!(express.entry_text().find("app.use(cors") < express.entry_text().find("app.all("));
    assert!(!express.entry_text().lines().any(|l| l.starts_with("app.options(")));
    let fastapi = app(Stack::FastApi);
    assert!(fastapi.entry_text().contains(r#"allow_origin_regex=r"^https://[^/:]+\.example\.org\Z""#));
    assert!(fastapi.entry_text().contains("allow_origins=[\"https://app.example.com\"]"));
    let flask = app(Stack::Flask);
    assert!(flask.entry_text().contains(r#"re.compile(r"^https://app\.example\.com\Z")"#));
    assert!(flask.entry_text().contains("supports_credentials=True"));
    let django = app(Stack::Django);
    let text = django.entry_text();
    assert!(text.find("corsheaders.middleware.CorsMiddleware") < text.find("django.middleware.common.CommonMiddleware"));
    assert!(text.contains(r#"r"^https://[^/:]+\.example\.org\Z""#));
    let nginx = app(Stack::Nginx);
    let conf = nginx.entry_text();
    assert!(conf.contains(r#""~^https://[^/:]+\.example\.org$" $http_origin;"#));
    assert!(conf.contains("add_header Vary Origin always;"));
    assert!(conf.contains("listen 127.0.0.1:9000;"));
    assert!(conf.contains("daemon off;"));
    // Every add_header is at server level: none inside a location or an if.
    let server = &conf[conf.find("server {").unwrap()..];
    let first_block = server.find("if (").unwrap();
    assert!(!server[first_block..].lines().any(|l| l.trim_start().starts_with("add_header")));
    let axum = app(Stack::Axum);
    assert!(axum.entry_text().contains("AllowOrigin::predicate(allowed)"));
    assert!(axum.entry_text().contains(".allow_credentials(true)"));
    assert!(axum.file("Cargo.toml").unwrap().contains("tower-http = { version = \"0.7.1\", features = [\"cors\"] }"));
}
