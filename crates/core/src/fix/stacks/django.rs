//! Django 5.2 LTS with django-cors-headers, as one runnable file.
//!
//! Exact origins in `CORS_ALLOWED_ORIGINS` (scheme and host compared, no
//! path); patterns in `CORS_ALLOWED_ORIGIN_REGEXES`, matched with
//! `re.match`, so anchored at the end by hand. The middleware answers every
//! preflight from an allowed origin with 200 and the static method and
//! header lists (the browser checks them), and must sit above
//! `CommonMiddleware`. `CORS_PREFLIGHT_MAX_AGE = 0` leaves the header out, so
//! the policy's "-1" (send 0: no caching) cannot be written.

use std::fmt::Write as _;

use super::fastapi::raw_string;
use super::origin_regex::{Flavor, entry_regex};
use super::{GeneratedApp, Origins, Plan, Stack, quoted, quoted_list};

pub(super) fn generate(plan: &Plan) -> Result<GeneratedApp, Vec<String>> {
    if plan.max_age.as_deref() == Some("0") {
        return Err(vec![
            "django-cors-headers cannot send Access-Control-Max-Age: 0 (CORS_PREFLIGHT_MAX_AGE = 0 leaves the header out, and browsers then keep a preflight 5 s): drop max_age, or add the header in a middleware of your own".to_owned(),
        ]);
    }
    let mut py = plan.banner("#", Stack::Django);
    py.push_str("#\n# Run: pip install -r requirements.txt && python app.py (Django's runserver, on 127.0.0.1)\n\n");
    py.push_str("import sys\n\nfrom django.conf import settings\n\nsettings.configure(\n");
    py.push_str(
        "    DEBUG=False,\n\
         \x20   SECRET_KEY=\"corslab-demo-only-set-your-own\",\n\
         \x20   ALLOWED_HOSTS=[\"127.0.0.1\", \"localhost\"],\n\
         \x20   ROOT_URLCONF=__name__,\n\
         \x20   INSTALLED_APPS=[\"corsheaders\"],\n\
         \x20   MIDDLEWARE=[\n\
         \x20       # First, or at least above CommonMiddleware and WhiteNoise, which may\n\
         \x20       # answer (a redirect, a file) before it can add its headers.\n\
         \x20       \"corsheaders.middleware.CorsMiddleware\",\n\
         \x20       \"django.middleware.common.CommonMiddleware\",\n\
         \x20   ],\n",
    );
    match &plan.origins {
        Origins::Any => py.push_str("    CORS_ALLOW_ALL_ORIGINS=True,\n"),
        Origins::List { exact, written, .. } => {
            let _ = writeln!(py, "    CORS_ALLOWED_ORIGINS=[{}],  # scheme://host[:port], no path", quoted_list(exact));
            if !written.is_empty() {
                py.push_str("    # re.match anchors only the start: each regex ends in \\Z.\n    CORS_ALLOWED_ORIGIN_REGEXES=[\n");
                for pattern in written {
                    let regex = entry_regex(pattern, Flavor::Python).unwrap_or_default();
                    let _ = writeln!(py, "        {},  # {pattern}", raw_string(&regex));
                }
                py.push_str("    ],\n");
            }
        }
    }
    let methods = match plan.method_list() {
        None => vec!["*".to_owned()],
        Some(list) => list,
    };
    let _ = writeln!(py, "    CORS_ALLOW_METHODS=[{}],  # sent as is in Access-Control-Allow-Methods", quoted_list(&methods));
    let _ = writeln!(
        py,
        "    CORS_ALLOW_HEADERS=[{}],  # sent as is; the default lists six, authorization among them",
        quoted_list(&plan.header_list())
    );
    if !plan.expose.is_empty() {
        let _ = writeln!(py, "    CORS_EXPOSE_HEADERS=[{}],", quoted_list(&plan.expose));
    }
    if plan.credentials {
        py.push_str("    CORS_ALLOW_CREDENTIALS=True,\n");
    }
    match plan.max_age.as_deref() {
        None => py.push_str("    CORS_PREFLIGHT_MAX_AGE=0,  # 0 leaves the header out (the default is 86400)\n"),
        Some(seconds) => {
            let _ = writeln!(py, "    CORS_PREFLIGHT_MAX_AGE={seconds},");
        }
    }
    py.push_str(")\n\nfrom django.http import HttpResponse  # noqa: E402 (after settings.configure)\nfrom django.urls import path  # noqa: E402\n\n\n");
    let demo = plan.demo_headers();
    let headers = if demo.is_empty() {
        String::new()
    } else {
        format!(", headers={{{}}}", demo.iter().map(|h| format!("{}: \"1\"", quoted(h))).collect::<Vec<_>>().join(", "))
    };
    for name in ["data", "items"] {
        let _ = write!(py, "def {name}(request):\n    return HttpResponse(\"{name}\\n\", content_type=\"text/plain\"{headers})\n\n\n");
    }
    py.push_str(
        "# Any method; any other path: Django's own 404 page, with the CORS headers.\n\
         urlpatterns = [path(\"data\", data), path(\"items\", items)]\n\n",
    );
    let _ = write!(
        py,
        "if __name__ == \"__main__\":\n    from django.core.management import execute_from_command_line\n\n    execute_from_command_line([sys.argv[0], \"runserver\", \"127.0.0.1:{}\", \"--noreload\"])\n",
        plan.port
    );
    let requirements: String = Stack::Django.packages().iter().map(|(n, v)| format!("{n}=={v}\n")).collect();
    let notes = vec![
        "every preflight is answered 200; an allowed origin gets the static method and header lists, and the browser checks them".to_owned(),
        "a 500 from handler500 carries no CORS headers (adamchainz/django-cors-headers#512)".to_owned(),
        "runserver is Django's development server: serve the same settings with gunicorn or uwsgi in production".to_owned(),
    ];
    Ok(GeneratedApp {
        stack: Stack::Django,
        files: vec![("app.py".to_owned(), py), ("requirements.txt".to_owned(), requirements)],
        entry: "app.py".to_owned(),
        run: "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py".to_owned(),
        notes,
        sets_headers: Vec::new(),
        widened: None,
    })
}
