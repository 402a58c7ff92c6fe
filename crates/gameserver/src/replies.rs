//! What the submission servers answer for each flag, worded so that existing exploit farms file
//! every answer in the intended class without any change to the farms.
//!
//! The farms' rules are reimplemented here ([`destructivefarm`], [`forcad_tcp`], [`s4dfarm_faust`])
//! so that tests run every reply through them.

/// The result of one submitted flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// Credited now.
    Accepted,
    /// This team already submitted this flag.
    Duplicate,
    /// The flag belongs to the submitting team.
    Own,
    /// Older than its lifetime.
    TooOld,
    /// Not a flag of this game.
    Invalid,
    /// The team token is unknown or revoked.
    UnknownTeam,
    /// The game is not running (not started, paused or over): try again later.
    NotRunning,
    /// The team sent more flags than its rate allows: try again later (nothing is lost).
    RateLimited,
    /// The scenario does not let a team score while its own service is down: try again later.
    OwnServiceDown,
    /// The server could not record the flag (e.g. the database was unreachable): try again later.
    TryAgain,
}

/// How a farm files an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The flag counted.
    Accepted,
    /// The flag will never count: drop it.
    Rejected,
    /// Submit it again later.
    Retry,
}

impl Reply {
    /// The class every farm should file this reply in.
    pub fn intended(self) -> Class {
        match self {
            Reply::Accepted => Class::Accepted,
            Reply::NotRunning | Reply::RateLimited | Reply::OwnServiceDown | Reply::TryAgain => {
                Class::Retry
            }
            _ => Class::Rejected,
        }
    }

    /// The human message (HTTP `msg`, TCP text after the code).
    pub fn message(self) -> &'static str {
        match self {
            Reply::Accepted => "accepted",
            Reply::Duplicate => "denied: already submitted",
            Reply::Own => "denied: this is your own flag",
            Reply::TooOld => "denied: flag is too old",
            Reply::Invalid => "denied: invalid flag",
            Reply::UnknownTeam => "denied: unknown team token",
            Reply::NotRunning => "game not started or paused, try again later",
            Reply::RateLimited => "rate limit reached, try again later",
            Reply::OwnServiceDown => "your service is not up, try again later",
            Reply::TryAgain => "server busy, try again later",
        }
    }

    /// A stable name for pages to say the reply in their reader's language.
    pub fn name(self) -> &'static str {
        match self {
            Reply::Accepted => "accepted",
            Reply::Duplicate => "duplicate",
            Reply::Own => "own",
            Reply::TooOld => "too_old",
            Reply::Invalid => "invalid",
            Reply::UnknownTeam => "unknown_team",
            Reply::NotRunning => "not_running",
            Reply::RateLimited => "rate_limited",
            Reply::OwnServiceDown => "own_service_down",
            Reply::TryAgain => "try_again",
        }
    }

    /// The FAUST/ENOWARS status code for the TCP protocol.
    pub fn code(self) -> &'static str {
        match self {
            Reply::Accepted => "OK",
            Reply::Duplicate => "DUP",
            Reply::Own => "OWN",
            Reply::TooOld => "OLD",
            Reply::Invalid | Reply::UnknownTeam => "INV",
            Reply::NotRunning | Reply::RateLimited | Reply::OwnServiceDown | Reply::TryAgain => {
                "ERR"
            }
        }
    }

    /// One TCP reply line (without the newline): `<flag> <CODE> <message>`.
    pub fn tcp_line(self, flag: &str) -> String {
        format!("{flag} {} {}", self.code(), self.message())
    }

    /// Every reply, for tests and documentation.
    pub const ALL: [Reply; 10] = [
        Reply::Accepted,
        Reply::Duplicate,
        Reply::Own,
        Reply::TooOld,
        Reply::Invalid,
        Reply::UnknownTeam,
        Reply::NotRunning,
        Reply::RateLimited,
        Reply::OwnServiceDown,
        Reply::TryAgain,
    ];
}

/// DestructiveFarm's `ructf_http`/`ructf_tcp` rules: lower-case the reply, then the first list
/// that has a matching substring wins; anything unmatched is queued again (retried forever).
pub fn destructivefarm(reply: &str) -> Class {
    const RETRY: &[&str] = &[
        "timeout",
        "game not started",
        "try again later",
        "game over",
        "is not up",
        "no such flag",
    ];
    const ACCEPTED: &[&str] = &["accepted", "congrat"];
    const REJECTED: &[&str] = &[
        "bad",
        "wrong",
        "expired",
        "unknown",
        "your own",
        "too old",
        "not in database",
        "already submitted",
        "invalid flag",
    ];
    let r = reply.to_lowercase();
    if RETRY.iter().any(|s| r.contains(s)) {
        Class::Retry
    } else if ACCEPTED.iter().any(|s| r.contains(s)) {
        Class::Accepted
    } else if REJECTED.iter().any(|s| r.contains(s)) {
        Class::Rejected
    } else {
        Class::Retry
    }
}

/// DestructiveFarm's `forcad_tcp` module: the same lists, plus more rejections.
pub fn forcad_tcp(reply: &str) -> Class {
    const MORE: &[&str] = &[
        "self",
        "invalid",
        "already_submitted",
        "team_not_found",
        "too_old",
        "stolen",
    ];
    match destructivefarm(reply) {
        Class::Retry if MORE.iter().any(|s| reply.to_lowercase().contains(s)) => Class::Rejected,
        other => other,
    }
}

/// S4DFarm's `faust` module: the code after the flag, matched case-sensitively: OK accepted;
/// DUP, OWN, OLD rejected; INV, ERR and anything else retried.
pub fn s4dfarm_faust(line: &str) -> Class {
    let code = line.split_whitespace().nth(1).unwrap_or("");
    match code {
        "OK" => Class::Accepted,
        "DUP" | "OWN" | "OLD" => Class::Rejected,
        _ => Class::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_lands_in_its_class_with_every_farm() {
        for r in Reply::ALL {
            let want = r.intended();
            assert_eq!(
                destructivefarm(r.message()),
                want,
                "DestructiveFarm on {r:?}: {}",
                r.message()
            );
            assert_eq!(forcad_tcp(r.message()), want, "forcad_tcp on {r:?}");
            assert_eq!(
                destructivefarm(&r.tcp_line("FLAG_X=")),
                want,
                "ructf_tcp on {r:?}"
            );
        }
    }

    #[test]
    fn faust_codes_match_s4dfarm() {
        for r in Reply::ALL {
            let got = s4dfarm_faust(&r.tcp_line("FLAG_X="));
            let want = match r {
                // S4DFarm retries INV: an invalid flag or unknown team is resubmitted, harmlessly.
                Reply::Invalid | Reply::UnknownTeam => Class::Retry,
                other => other.intended(),
            };
            assert_eq!(got, want, "{r:?}");
        }
    }

    #[test]
    fn no_reply_says_no_such_flag_or_stolen_alone() {
        for r in Reply::ALL {
            let m = r.message().to_lowercase();
            assert!(!m.contains("no such flag"), "{m}");
            if r == Reply::Duplicate {
                assert!(m.contains("already submitted"));
            }
        }
    }
}
