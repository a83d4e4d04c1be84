//! The browsers: where Chromium, Firefox and the Fetch standard differ
//! ([`profile`], one named switch per difference), what failed in neutral
//! terms ([`failure`]), and each browser's own words for it ([`chromium`],
//! [`firefox`], [`webkit`]: error names, failed parameters, console lines),
//! and those lines read back ([`console`]); a value for each browser
//! ([`per_browser`]).

pub mod chromium;
pub mod console;
pub mod failure;
pub mod firefox;
pub mod per_browser;
pub mod profile;
pub mod webkit;
