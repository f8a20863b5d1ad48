//! The progress line of a run that asks registries: per service, requests answered out of
//! those announced, and for a paced service the reason for its wait and the time it needs
//! ("crates.io API 12/50 (1 request/s policy, ~38 s left)"). `main` shows it on a terminal,
//! redrawn in place, and in CI (no terminal) as a line every ten seconds, on stderr.

use crate::net::ServiceProgress;

/// One line for the services that have something announced or answered.
pub fn line(services: &[ServiceProgress]) -> String {
    let parts: Vec<String> = services
        .iter()
        .filter(|service| service.expected > 0)
        .map(|service| {
            let counts = format!("{} {}/{}", service.name, service.done, service.expected);
            if service.given_up.is_some() {
                return format!("{counts} (given up: not answering)");
            }
            let left = service.expected - service.done;
            match service.pace {
                Some(pace) if left > 0 && !pace.is_zero() => {
                    let per_second = 1.0 / pace.as_secs_f64();
                    let seconds = (left as f64 * pace.as_secs_f64()).ceil();
                    format!(
                        "{counts} ({} request/s policy, ~{seconds:.0} s left)",
                        trim(per_second)
                    )
                }
                _ => counts,
            }
        })
        .collect();
    if parts.is_empty() {
        "fetching".to_string()
    } else {
        format!("fetching: {}", parts.join(" · "))
    }
}

/// Whether some announced request is still unanswered.
pub fn pending(services: &[ServiceProgress]) -> bool {
    services
        .iter()
        .any(|service| service.given_up.is_none() && service.done < service.expected)
}

fn trim(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn service(name: &str, done: u64, expected: u64, pace: Option<u64>) -> ServiceProgress {
        ServiceProgress {
            name: name.into(),
            done,
            expected,
            pace: pace.map(Duration::from_secs),
            given_up: None,
        }
    }

    #[test]
    fn paced_services_say_why_and_how_long() {
        let services = [
            service("npm registry", 420, 1000, None),
            service("crates.io API", 12, 50, Some(1)),
            service("PyPI", 0, 0, None),
            ServiceProgress {
                given_up: Some("refused".into()),
                ..service("GitHub API", 3, 40, None)
            },
        ];
        assert_eq!(
            line(&services),
            "fetching: npm registry 420/1000 · crates.io API 12/50 (1 request/s policy, ~38 s left) · GitHub API 3/40 (given up: not answering)"
        );
        assert!(pending(&services));
        let done = [
            service("npm registry", 5, 5, None),
            service("crates.io API", 2, 2, Some(1)),
        ];
        assert_eq!(
            line(&done),
            "fetching: npm registry 5/5 · crates.io API 2/2"
        );
        assert!(!pending(&done));
    }
}
