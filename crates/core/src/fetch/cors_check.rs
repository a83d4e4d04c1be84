//! The CORS check: `Access-Control-Allow-Origin`, then, for credentialed
//! requests, `Access-Control-Allow-Credentials`.
//!
//! <https://fetch.spec.whatwg.org/#concept-cors-check>

use crate::browsers::failure::{Failure, Stage};
use crate::fetch::request::FetchRequest;
use crate::fetch::response::ServerResponse;
use crate::http::header::HeaderName;
use crate::trace::{Step, Tracer, Verdict, spec};

const ACAO: HeaderName = HeaderName::known("access-control-allow-origin");
const ACAC: HeaderName = HeaderName::known("access-control-allow-credentials");

/// Performs a [CORS check](https://fetch.spec.whatwg.org/#concept-cors-check)
/// for `request` and `response`.
///
/// All three profiles pass and fail the same responses here; they differ
/// only in how they *name* a failure, which [`Failure`] leaves to the
/// renderers.
///
/// # Errors
///
/// The [`Failure`] with the values the check compared.
pub fn cors_check(
    request: &FetchRequest,
    response: &ServerResponse,
    stage: Stage,
    trace: &mut impl Tracer,
) -> Result<(), Failure> {
    let (origin_id, credentials_id) = match stage {
        Stage::Preflight => ("preflight.allow-origin", "preflight.allow-credentials"),
        Stage::Actual => ("response.allow-origin", "response.allow-credentials"),
    };
    let include = request.includes_credentials();
    let serialized_origin = request.origin_serialized.as_str();

    // 1-2. Get Access-Control-Allow-Origin; null (absent) is failure.
    let allow_origin = response.headers.get_ref(&ACAO);
    let origin_ok = match allow_origin.as_deref() {
        None => false,
        // 3. Without credentials, `*` is success (and ends the check).
        Some("*") if !include => {
            trace.record(|| {
                Step::new(origin_id, "Access-Control-Allow-Origin allows the request's origin", Verdict::Pass, spec::CORS_CHECK)
                    .compare("Access-Control-Allow-Origin", "*")
                    .compare("credentials mode", request.credentials.as_str())
                    .detail("* allows any origin for a request without credentials")
            });
            return Ok(());
        }
        // 4. Otherwise it must be the request's serialized origin, exactly.
        Some(value) => value == serialized_origin,
    };
    if !origin_ok {
        let lines: Vec<String> = response.headers.values(&ACAO).map(str::to_owned).collect();
        let failure = Failure::AllowOrigin { stage, status: response.status, lines, credentials: include };
        trace.record(|| {
            Step::new(origin_id, "Access-Control-Allow-Origin allows the request's origin", Verdict::Fail, spec::CORS_CHECK)
                .compare("request origin", serialized_origin)
                .compare("Access-Control-Allow-Origin", allow_origin.as_deref().unwrap_or("(absent)"))
                .compare("credentials mode", request.credentials.as_str())
                .detail(failure.summary())
        });
        return Err(failure);
    }
    trace.record(|| {
        Step::new(origin_id, "Access-Control-Allow-Origin allows the request's origin", Verdict::Pass, spec::CORS_CHECK)
            .compare("request origin", serialized_origin)
            .compare("Access-Control-Allow-Origin", allow_origin.as_deref().unwrap_or_default())
            .detail("the value is exactly the request's serialized origin")
    });

    // 5. Without credentials, that is success.
    if !include {
        trace.record(|| {
            Step::new(credentials_id, "Access-Control-Allow-Credentials is true", Verdict::Skipped, spec::CORS_CHECK)
                .compare("credentials mode", request.credentials.as_str())
                .detail("only checked when credentials mode is include")
        });
        return Ok(());
    }
    // 6-8. With credentials, Access-Control-Allow-Credentials must be `true`.
    let allow_credentials = response.headers.get_ref(&ACAC);
    if allow_credentials.as_deref() == Some("true") {
        trace.record(|| {
            Step::new(credentials_id, "Access-Control-Allow-Credentials is true", Verdict::Pass, spec::CORS_CHECK)
                .compare("Access-Control-Allow-Credentials", "true")
        });
        return Ok(());
    }
    let failure = Failure::AllowCredentials { stage, value: allow_credentials.as_deref().map(str::to_owned) };
    trace.record(|| {
        Step::new(credentials_id, "Access-Control-Allow-Credentials is true", Verdict::Fail, spec::CORS_CHECK)
            .compare("Access-Control-Allow-Credentials", allow_credentials.as_deref().unwrap_or("(absent)"))
            .compare("credentials mode", "include")
            .detail(failure.summary())
    });
    Err(failure)
}
