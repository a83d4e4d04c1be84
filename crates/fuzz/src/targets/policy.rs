//! Policy configuration: the `/policy/{run}?…` query
//! (`PolicyConfig::from_query`) on the first line, the whole input as the
//! JSON form (`corslab fix --policy FILE`), each checked by
//! `CorsPolicy::new`. A valid policy answers a preflight and a request
//! (the input's lines 2, 3 and 4 are the `Origin`, the
//! `Access-Control-Request-Method` and `-Headers`), writes its query back
//! (which reads back the same), and is written as each stack's app.

use corslab::fix::stacks::{AppOptions, Stack, generate};
use corslab::policy::{CorsPolicy, MAX_POLICY_QUERY_LEN, PolicyConfig};

use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut lines = text.split('\n');
    let query = lines.next().unwrap_or_default();
    let origin = lines.next();
    let method = lines.next();
    let headers = lines.next();
    if let Ok(config) = PolicyConfig::from_query(query) {
        policy(&config, origin, method, headers);
    }
    if let Ok(config) = serde_json::from_str::<PolicyConfig>(&text) {
        policy(&config, origin, method, headers);
    }
}

fn policy(config: &PolicyConfig, origin: Option<&str>, method: Option<&str>, headers: Option<&str>) {
    let policy = match CorsPolicy::new(config) {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(!errors.is_empty(), "a refused policy says why");
            let _ = errors.to_string();
            return;
        }
    };
    let query = config.to_query();
    match PolicyConfig::from_query(&query) {
        Ok(again) => assert_eq!(&again, config, "a policy query read back is the same"),
        // Written out, the same query may be longer (each byte escaped).
        Err(e) if query.len() > MAX_POLICY_QUERY_LEN => drop(e),
        Err(e) => panic!("the query a valid policy writes does not read back: {e}"),
    }
    let _ = policy.varies_on_origin();
    for verb in ["OPTIONS", "GET"] {
        let answer = policy.answer(verb, origin, method, headers);
        let _ = answer.to_server_response();
    }
    let _ = policy.actual(None).to_server_response();
    for stack in Stack::ALL {
        let _ = generate(stack, config, &AppOptions::default());
    }
}
