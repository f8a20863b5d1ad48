//! Redaction: credential-shaped text in a message is replaced by `***` before it leaves the
//! library.
//!
//! Lockfiles, manifests and the files they include come from pull requests, and the jobs that
//! scan them hold tokens; a message quoting a line (a warning, an error, a finding) could carry
//! one into a log or a PR comment. [`redact`] masks, wherever they appear in a message:
//!
//! - userinfo in URLs: `https://user:pass@host` → `https://***@host` (a user name alone, as in
//!   `ssh://git@host`, stays unless it is token-long);
//! - `Authorization:` / `Proxy-Authorization:` header values, to the end of the line or quote;
//! - `Bearer …` and `Basic …` credentials;
//! - values of secret-named keys in `key=value`, `key: value`, `"key": "value"` form: keys
//!   ending in `token`, `password`, `passwd`, `secret`, `api_key`/`apikey`, and `_auth` /
//!   `auth` (npm's `_auth=`, `_authToken=`, `_password=`, Docker's `"auth":`);
//! - well-known token prefixes: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`,
//!   `glpat-`, `npm_`, `pypi-`.
//!
//! It leaves package names, versions, hashes (`sha256:…`), and ordinary URLs
//! (`git+https://github.com/o/r.git`) alone. It is a net, not a guarantee: messages should not
//! quote arbitrary file content in the first place.

/// What replaces a credential.
const MASK: &str = "***";

/// Key suffixes whose values are secrets (compared lowercase).
const SECRET_KEY_SUFFIXES: [&str; 7] = [
    "token", "password", "passwd", "secret", "api_key", "apikey", "_auth",
];

/// Keys that are secrets only when they are the whole key (compared lowercase).
const SECRET_KEYS: [&str; 1] = ["auth"];

/// Token prefixes, with the characters and minimum length of what follows them.
const TOKEN_PREFIXES: [(&str, usize); 9] = [
    ("ghp_", 20),
    ("gho_", 20),
    ("ghu_", 20),
    ("ghs_", 20),
    ("ghr_", 20),
    ("github_pat_", 20),
    ("glpat-", 20),
    ("npm_", 30),
    ("pypi-", 30),
];

/// `text` with credential-shaped parts replaced by `***`.
pub(crate) fn redact(text: &str) -> String {
    let text = redact_headers(text);
    let text = redact_userinfo(&text);
    let text = redact_schemes(&text);
    let text = redact_key_values(&text);
    redact_token_prefixes(&text)
}

/// Characters that end a value: whitespace, quotes, list or statement separators, and `\`
/// (so that a mask never swallows half of an escape such as `\"` in a quoted literal).
fn ends_value(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\'' | '`' | ',' | ';' | '&' | ')' | ']' | '}' | '>' | '\\'
        )
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Finds `needle` (ASCII, lowercase) case-insensitively from `from`.
fn find_ignore_case(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let needle = needle.as_bytes();
    (from..=bytes.len().checked_sub(needle.len())?).find(|&start| {
        bytes[start..start + needle.len()]
            .iter()
            .zip(needle)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

/// `Authorization: Basic xyz` → `Authorization: ***`, to the end of the line or a quote.
fn redact_headers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(start) = find_ignore_case(text, "authorization", from) {
        let after = start + "authorization".len();
        from = after;
        let tail = &text[after..];
        let trimmed = tail.trim_start_matches([' ', '\t', '"', '\'']);
        let Some(value) = trimmed.strip_prefix([':', '=']) else {
            continue;
        };
        let value_start = text.len() - value.len();
        let value_trimmed = value.trim_start_matches([' ', '\t', '"', '\'']);
        let skip = value.len() - value_trimmed.len();
        let end = value_trimmed
            .find(['\n', '\r', '"', '\'', '`', '\\'])
            .unwrap_or(value_trimmed.len());
        if end == 0 {
            continue;
        }
        let masked_start = value_start + skip;
        out.push_str(&text[rest..masked_start]);
        out.push_str(MASK);
        rest = masked_start + end;
        from = rest;
    }
    out.push_str(&text[rest..]);
    out
}

/// `scheme://user:pass@host` → `scheme://***@host`; a lone user name is kept unless it is
/// token-long (20 characters or more).
fn redact_userinfo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let authority_start = from + found + 3;
        from = authority_start;
        let authority_len = text[authority_start..]
            .find(|c: char| matches!(c, '/' | '?' | '#') || ends_value(c))
            .unwrap_or(text.len() - authority_start);
        let authority = &text[authority_start..authority_start + authority_len];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        if userinfo.is_empty() || userinfo == MASK {
            continue;
        }
        if !userinfo.contains(':') && userinfo.chars().count() < 20 {
            continue;
        }
        out.push_str(&text[rest..authority_start]);
        out.push_str(MASK);
        rest = authority_start + at;
        from = rest;
    }
    out.push_str(&text[rest..]);
    out
}

/// `Bearer abc.def` → `Bearer ***`, `Basic dXNlcjpw` → `Basic ***`: the word, one space, and a
/// credential-looking token (8 characters or more, with a digit or one of `+/=._-`).
fn redact_schemes(text: &str) -> String {
    let text = redact_scheme(text, "bearer ");
    redact_scheme(&text, "basic ")
}

fn redact_scheme(text: &str, scheme: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(start) = find_ignore_case(text, scheme, from) {
        from = start + scheme.len();
        if text[..start].chars().next_back().is_some_and(is_word) {
            continue;
        }
        let value_start = start + scheme.len();
        let value_len = text[value_start..]
            .find(ends_value)
            .unwrap_or(text.len() - value_start);
        let value = &text[value_start..value_start + value_len];
        let credential = value.len() >= 8
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=._-~".contains(c))
            && value
                .chars()
                .any(|c| c.is_ascii_digit() || "+/=._-".contains(c));
        if !credential {
            continue;
        }
        out.push_str(&text[rest..value_start]);
        out.push_str(MASK);
        rest = value_start + value_len;
        from = rest;
    }
    out.push_str(&text[rest..]);
    out
}

/// `_authToken=abc`, `password: abc`, `"auth": "abc"`, `?token=abc` → the value masked.
fn redact_key_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut index = 0;
    let bytes = text.as_bytes();
    while index < bytes.len() {
        let c = bytes[index] as char;
        if !(is_word(c) || c == '-' || c == '.') {
            index += 1;
            continue;
        }
        // A key: a run of word characters, `-` and `.`.
        let key_start = index;
        while index < bytes.len() && {
            let c = bytes[index] as char;
            is_word(c) || c == '-' || c == '.'
        } {
            index += 1;
        }
        let key = text[key_start..index].to_ascii_lowercase();
        let secret = SECRET_KEYS.contains(&key.as_str())
            || SECRET_KEY_SUFFIXES
                .iter()
                .any(|suffix| key.ends_with(suffix));
        if !secret {
            continue;
        }
        let after = &text[index..];
        let separator = after
            .trim_start_matches(['"', '\''])
            .trim_start_matches([' ', '\t']);
        let Some(value) = separator.strip_prefix(['=', ':']) else {
            continue;
        };
        let value_trimmed = value.trim_start_matches([' ', '\t']);
        let quote = value_trimmed.starts_with(['"', '\'']);
        let value_body = value_trimmed.trim_start_matches(['"', '\'']);
        let value_start = text.len() - value_body.len();
        let value_len = value_body.find(ends_value).unwrap_or(value_body.len());
        let value = &value_body[..value_len];
        // `key: value` in prose ("token: none") and empty values stay.
        if value.is_empty() || value == MASK || (!quote && value.starts_with('/')) {
            index = value_start;
            continue;
        }
        out.push_str(&text[rest..value_start]);
        out.push_str(MASK);
        rest = value_start + value_len;
        index = rest;
    }
    out.push_str(&text[rest..]);
    out
}

/// `ghp_…`, `github_pat_…`, `glpat-…`, `npm_…`, `pypi-…` tokens → `***`.
fn redact_token_prefixes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut index = 0;
    while index < text.len() {
        let starts_word = index == 0
            || text[..index]
                .chars()
                .next_back()
                .is_some_and(|c| !(is_word(c) || c == '-'));
        let found = starts_word
            .then(|| {
                TOKEN_PREFIXES.iter().find_map(|(prefix, min)| {
                    let head = text.get(index..index + prefix.len())?;
                    if !head.eq_ignore_ascii_case(prefix) {
                        return None;
                    }
                    let body = &text[index + prefix.len()..];
                    let len = body
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                        .unwrap_or(body.len());
                    (len >= *min).then_some(prefix.len() + len)
                })
            })
            .flatten();
        match found {
            Some(len) => {
                out.push_str(&text[rest..index]);
                out.push_str(MASK);
                index += len;
                rest = index;
            }
            None => {
                index += text[index..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out.push_str(&text[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GHP: &str = "ghp_16C7e42F292c6912E7710c838347Ae178B4a";

    #[test]
    fn credentials_are_masked() {
        let cases: &[(&str, &str)] = &[
            (
                "https://user:hunter2@example.com/simple",
                "https://***@example.com/simple",
            ),
            (
                "git+https://x-access-token:abc123@github.com/o/r.git",
                "git+https://***@github.com/o/r.git",
            ),
            (
                "--index-url https://__token__:pypi-secret@pypi.example/simple/ # via",
                "--index-url https://***@pypi.example/simple/ # via",
            ),
            (
                "https://AAAABBBBCCCCDDDDEEEEFFFF@github.com/o/r",
                "https://***@github.com/o/r",
            ),
            (
                "//registry.example.com/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789",
                "//registry.example.com/:_authToken=***",
            ),
            ("_auth=dXNlcjpwYXNzd29yZA==", "_auth=***"),
            ("_password = \"aGVsbG8=\"", "_password = \"***\""),
            ("password=hunter2", "password=***"),
            ("NPM_TOKEN=abc123 npm ci", "NPM_TOKEN=*** npm ci"),
            (
                "https://example.com/x.whl?token=s3cr3t&v=1",
                "https://example.com/x.whl?token=***&v=1",
            ),
            (
                "\textraheader = AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX3h4eA==",
                "\textraheader = AUTHORIZATION: ***",
            ),
            (
                "Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig\nnext",
                "Authorization: ***\nnext",
            ),
            ("curl -H 'Bearer abcdef.123456'", "curl -H 'Bearer ***'"),
            ("use Basic dXNlcjpwYXNz0 here", "use Basic *** here"),
            (GHP, "***"),
            (
                "`github_pat_11ABCDEFG0123456789_abcdefghijklmnop` in a line",
                "`***` in a line",
            ),
            ("glpat-abcdefghij0123456789", "***"),
            (
                "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0",
                "***",
            ),
            ("{\"auth\": \"dXNlcjpwYXNz\"}", "{\"auth\": \"***\"}"),
            ("api_key: \"k-123\"", "api_key: \"***\""),
        ];
        for (input, want) in cases {
            assert_eq!(redact(input), *want, "{input}");
            assert_eq!(redact(want), *want, "idempotent: {want}");
        }
    }

    #[test]
    fn escapes_in_quoted_literals_stay_whole() {
        // A DOT or JSON literal quoting a header: the mask stops before `\"`.
        assert_eq!(
            redact(r#""Authorization: abc\"def""#),
            r#""Authorization: ***\"def""#
        );
        assert_eq!(redact(r#""token=abc\"x""#), r#""token=***\"x""#);
    }

    #[test]
    fn ordinary_text_is_untouched() {
        for text in [
            "git+https://github.com/o/r.git@v1.0#egg=r",
            "git+ssh://git@github.com/o/r.git#egg=r-3.0",
            "ssh://git@gitlab.example.com:2222/o/r.git",
            "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.3.tgz",
            "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
            "--hash=sha256:aa attrs==26.1.0 ; python_version >= \"3.8\"",
            "`requests[socks]` 2.31.0 via -r requirements.in",
            "npm:@scope/real@^1.0.0",
            "pypi:token-bucket@0.3.0 and pypi:pypi-simple@1.0",
            "npm:npm_package_json_lint@1.0.0",
            "the basic rule applies; Basic auth is not used",
            "tokenizers==0.15.2",
            "`token` is not pinned to one version",
            "cargo:github_pat_helper@0.1.0",
            "registry+https://github.com/rust-lang/crates.io-index",
            "https://user@example.com/simple",
            "ütf-8 tëxt with ünicode 🦀 token",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}

#[cfg(test)]
mod hostile {
    use proptest::prelude::*;

    use super::redact;

    /// Pieces that steer every branch of the redactor, mixed with multi-byte characters so a
    /// slice at a wrong offset would panic.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("https://".to_string()),
            Just("user:pa".to_string()),
            Just("@".to_string()),
            Just("Authorization: ".to_string()),
            Just("Bearer ".to_string()),
            Just("Basic ".to_string()),
            Just("_authToken=".to_string()),
            Just("password".to_string()),
            Just("\"token\": \"".to_string()),
            Just("ghp_".to_string()),
            Just("github_pat_".to_string()),
            Just("glpat-".to_string()),
            Just("\\".to_string()),
            Just("é€𝄞ء".to_string()),
            "[a-zA-Z0-9:=/._@ -]{0,12}",
            "\\PC{0,6}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Whatever a lockfile or a registry puts in a message, redaction never panics and is
        /// stable.
        #[test]
        fn never_panics_and_is_idempotent(pieces in prop::collection::vec(piece(), 0..24)) {
            let text: String = pieces.concat();
            let once = redact(&text);
            prop_assert_eq!(redact(&once), once);
        }
    }
}
