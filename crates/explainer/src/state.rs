//! What the user composed: the request, how the server answers, the browser
//! profile. It round-trips through the URL fragment, so a link shares it.

use corslab::formats::scenario::{Scenario, ScenarioRequest, ScriptedResponse};
use corslab::{Browser, CredentialsMode, RequestMode};
use serde::{Deserialize, Serialize};

/// How the companion server answers the composed request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ServerSetup {
    /// Scripted answers, replayed by `/replay/{run}`.
    Scripted {
        /// The answer to `OPTIONS`; `None`: a plain 404.
        preflight: Option<ScriptedResponse>,
        /// The answer to the request.
        response: ScriptedResponse,
    },
    /// A CORS policy, applied by `/policy/{run}` (its query string).
    Policy {
        /// The policy as a query string (`origin=...&method=...`).
        query: String,
    },
}

/// Everything the page shows, in one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    /// A label (a recorded scenario's id, or `custom`).
    pub id: String,
    /// What the page asks `fetch()` to do.
    pub request: ScenarioRequest,
    /// How the server answers.
    pub server: ServerSetup,
    /// How many times the request is sent in a row.
    #[serde(default = "one")]
    pub repeat: u32,
    /// The profile the prediction follows.
    pub browser: Browser,
}

fn one() -> u32 {
    1
}

impl Default for Composition {
    /// A PUT with a JSON body and a custom header to a server that allows
    /// the page's origin: a preflighted request that succeeds.
    fn default() -> Self {
        Composition {
            id: "custom".to_owned(),
            request: ScenarioRequest {
                method: "PUT".to_owned(),
                path: "/data".to_owned(),
                headers: vec![
                    ("Content-Type".to_owned(), "application/json".to_owned()),
                    ("X-Request-Id".to_owned(), "42".to_owned()),
                ],
                mode: RequestMode::Cors,
                credentials: CredentialsMode::SameOrigin,
                body: Some("{\"a\":1}".to_owned()),
                page_origin: None,
                server_origin: None,
            },
            server: ServerSetup::Scripted {
                preflight: Some(ScriptedResponse {
                    status: 204,
                    headers: vec![
                        ("Access-Control-Allow-Origin".to_owned(), "{origin}".to_owned()),
                        ("Access-Control-Allow-Methods".to_owned(), "PUT".to_owned()),
                        ("Access-Control-Allow-Headers".to_owned(), "content-type, x-request-id".to_owned()),
                    ],
                    body: None,
                }),
                response: ScriptedResponse {
                    status: 200,
                    headers: vec![
                        ("Access-Control-Allow-Origin".to_owned(), "{origin}".to_owned()),
                        ("Content-Type".to_owned(), "text/plain".to_owned()),
                    ],
                    body: Some("saved".to_owned()),
                },
            },
            repeat: 1,
            browser: Browser::Chrome,
        }
    }
}

impl Composition {
    /// A recorded scenario, to look at and replay.
    pub fn from_scenario(scenario: &Scenario, browser: Browser) -> Composition {
        Composition {
            id: scenario.id.clone(),
            request: ScenarioRequest { page_origin: None, server_origin: None, ..scenario.request.clone() },
            server: ServerSetup::Scripted {
                preflight: scenario.preflight_response.clone(),
                response: scenario.response.clone(),
            },
            repeat: scenario.repeat(),
            browser,
        }
    }

    /// The composition as a scenario (scripted answers only).
    pub fn scenario(&self) -> Option<Scenario> {
        let ServerSetup::Scripted { preflight, response } = &self.server else { return None };
        Some(Scenario {
            id: self.id.clone(),
            note: None,
            request: self.request.clone(),
            repeat: (self.repeat > 1).then_some(self.repeat),
            preflight_response: preflight.clone(),
            response: response.clone(),
            expect: Default::default(),
        })
    }

    /// The URL fragment that restores this composition.
    pub fn to_fragment(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
        format!("#lab={encoded}")
    }

    /// Reads a fragment made by [`to_fragment`](Self::to_fragment); `None`
    /// for anything else (a bad link leaves the default in place).
    pub fn from_fragment(fragment: &str) -> Option<Composition> {
        let encoded = fragment.strip_prefix('#').unwrap_or(fragment).strip_prefix("lab=")?;
        let json: String = url::form_urlencoded::parse(format!("x={encoded}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        serde_json::from_str(&json).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composition_round_trips_through_the_fragment() {
        let composition = Composition::default();
        let fragment = composition.to_fragment();
        assert!(fragment.starts_with("#lab="));
        assert_eq!(Composition::from_fragment(&fragment), Some(composition));
        assert_eq!(Composition::from_fragment("#nonsense"), None);
        assert_eq!(Composition::from_fragment("#lab=%7Bbroken"), None);
    }
}
