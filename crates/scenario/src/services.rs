//! The `attack_defense:` and `services:` sections: the round clock, flags, and the services teams
//! defend, with their checkers and where each team's instance lives.

use std::collections::HashSet;

use crate::model::{AttackDefense, Scenario, Service, Text};
use crate::msg;
use crate::problem::Problems;
use crate::reader::{boolean, duration, fields, float, ident, int_at_least, list, string, text};
use crate::yaml::{Node, Pos, Value};

const AD: &[&str] = &[
    "round_length",
    "flag_lifetime",
    "flag_prefix",
    "flag_body_length",
    "flag_suffix",
    "formula",
    "attack_when_down",
    "weights",
    "flags_per_second",
    "max_flags_per_request",
];
const WEIGHTS: &[&str] = &["attack", "defense", "sla"];
const SERVICE: &[&str] = &[
    "id",
    "name",
    "weight",
    "checker",
    "timeout",
    "places",
    "host",
    "hosts",
    "on_checker_failure",
    "noise",
    "havoc",
];

/// The shortest flag body: 21 base32 characters are 105 bits, 64 of them the flag's round,
/// team, service and place, leaving 41 bits of signature (docs/scoring.md: forging one flag
/// takes about 2⁴⁰ guesses).
pub const MIN_FLAG_BODY: i64 = 21;
/// The longest flag body: 64 payload bits and the whole 256-bit signature.
pub const MAX_FLAG_BODY: i64 = 64;

/// Read `attack_defense:`.
pub fn read_attack_defense(p: &mut Problems, node: &Node) -> Option<AttackDefense> {
    let f = fields(p, node, "`attack_defense`", AD)?;
    let round = f.require(p, "round_length").and_then(|n| {
        let d = duration(p, n, "`round_length`")?;
        if d < 5 {
            p.at(
                n.pos,
                msg!("round_too_short", "a round must last at least 5 seconds"),
            );
            return None;
        }
        Some(d)
    });
    let lifetime = f.get("flag_lifetime").map_or(Some(5), |n| {
        int_at_least(p, n, "`flag_lifetime` (rounds)", 1)
    });
    let prefix = f.get("flag_prefix").map_or(Some("DRILL_".to_owned()), |n| {
        let s = string(p, n, "`flag_prefix`")?;
        let ok = !s.is_empty()
            && s.len() <= 32
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-{".contains(c));
        if !ok {
            p.at(
                n.pos,
                msg!(
                    "bad_flag_prefix",
                    "`flag_prefix` `{value}` may only use letters, digits, `_`, `-` and `{{`",
                    value = &s
                ),
            );
            p.hint(msg!("flag_prefix_example", "e.g. `DRILL_` or `FLAG{{`"));
            return None;
        }
        Some(s)
    });
    let body = f.get("flag_body_length").map_or(Some(32), |n| {
        let v = int_at_least(p, n, "`flag_body_length` (characters)", MIN_FLAG_BODY)?;
        if v > MAX_FLAG_BODY {
            p.at(
                n.pos,
                msg!(
                    "flag_body_too_long",
                    "`flag_body_length` is at most {max} characters",
                    max = MAX_FLAG_BODY
                ),
            );
            return None;
        }
        Some(v)
    });
    let suffix = f.get("flag_suffix").map_or(Some("=".to_owned()), |n| {
        let s = string(p, n, "`flag_suffix`")?;
        let ok = s.len() <= 16
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-}=".contains(c));
        if !ok {
            p.at(
                n.pos,
                msg!(
                    "bad_flag_suffix",
                    "`flag_suffix` `{value}` may only use letters, digits, `_`, `-`, `}}` and `=` (at most 16)",
                    value = &s
                ),
            );
            p.hint(msg!("flag_suffix_example", "e.g. `}}` after `flag_prefix: FLAG{{`, or `\"\"` for none"));
            return None;
        }
        Some(s)
    });
    let formula = f.get("formula").map_or(Some("faust".to_owned()), |n| {
        let s = string(p, n, "`formula`")?;
        if s != "faust" {
            p.at(
                n.pos,
                msg!(
                    "unknown_formula",
                    "unknown attack/defend formula `{value}`",
                    value = &s
                ),
            );
            p.hint(msg!(
                "formula_faust",
                "drillboard scores attack/defend with `faust`"
            ));
            return None;
        }
        Some(s)
    });
    let attack_when_down = f
        .get("attack_when_down")
        .map_or(Some(true), |n| boolean(p, n, "`attack_when_down`"));
    let mut w = [1.0f64; 3];
    let mut weights_ok = true;
    if let Some(n) = f.get("weights")
        && let Some(wf) = fields(p, n, "`weights`", WEIGHTS)
    {
        for (i, name) in WEIGHTS.iter().enumerate() {
            if let Some(x) = wf.get(name) {
                match float(p, x, "a weight") {
                    Some(v) if v >= 0.0 => w[i] = v,
                    Some(_) => {
                        p.at(x.pos, msg!("negative_weight", "weights cannot be negative"));
                        weights_ok = false;
                    }
                    None => weights_ok = false,
                }
            }
        }
    }
    let rate = f.get("flags_per_second").map_or(Some(100), |n| {
        int_at_least(p, n, "`flags_per_second`", 1).map(|v| v.min(1_000_000))
    });
    let per_request = f.get("max_flags_per_request").map_or(Some(1000), |n| {
        int_at_least(p, n, "`max_flags_per_request`", 1).map(|v| v.min(100_000))
    });
    if !weights_ok {
        return None;
    }
    Some(AttackDefense {
        round_seconds: round?,
        flag_lifetime_rounds: lifetime?.min(u32::MAX as i64) as u32,
        flag_prefix: prefix?,
        flag_body_length: body? as u32,
        flag_suffix: suffix?,
        formula: formula?,
        attack_when_down: attack_when_down?,
        attack_weight: w[0],
        defense_weight: w[1],
        sla_weight: w[2],
        flags_per_second: rate? as u32,
        max_flags_per_request: per_request? as u32,
    })
}

/// Where a service's parts were written.
pub struct ServicePos {
    pub at: Pos,
    pub timeout: Pos,
    pub hosts: Vec<Pos>,
}

/// Read one service.
pub fn read_service(p: &mut Problems, node: &Node) -> Option<(Service, ServicePos)> {
    let f = fields(p, node, "a service", SERVICE)?;
    let mut pos = ServicePos {
        at: node.pos,
        timeout: node.pos,
        hosts: Vec::new(),
    };
    let id = f
        .require(p, "id")
        .and_then(|n| ident(p, n, "the service `id`"));
    let name = f
        .get("name")
        .map_or(Some(Text::default()), |n| text(p, n, "`name`"));
    let weight = f.get("weight").map_or(Some(1.0), |n| {
        float(p, n, "the service `weight`").filter(|v| {
            let ok = *v >= 0.0;
            if !ok {
                p.at(n.pos, msg!("negative_weight", "weights cannot be negative"));
            }
            ok
        })
    });
    let mut http = None;
    let checker = f.require(p, "checker").and_then(|n| {
        let parts: Vec<String> = match &n.value {
            Value::Scalar { text, .. } => text.split_whitespace().map(str::to_owned).collect(),
            Value::Map(_) => {
                let cf = fields(p, n, "`checker`", &["http"])?;
                let url = cf.require(p, "http").and_then(|u| {
                    let url = string(p, u, "`checker.http`")?;
                    let rest = url.strip_prefix("http://").unwrap_or("");
                    let host = rest.split('/').next().unwrap_or("");
                    if host.is_empty() || host.contains('@') || url.chars().any(char::is_whitespace) {
                        p.at(
                            u.pos,
                            msg!("bad_checker_url", "`checker.http` `{value}` is not an http:// address of a checker service", value = &url),
                        );
                        p.hint(msg!("checker_url_example", "e.g. `checker: {{http: \"http://10.0.0.5:9100\"}}` (ENOWARS checker protocol; plain HTTP on the drill network)"));
                        return None;
                    }
                    Some(url)
                })?;
                http = Some(url);
                return Some(Vec::new());
            }
            _ => list(p, n, "`checker`")
                .iter()
                .filter_map(|i| string(p, i, "a `checker` argument"))
                .collect(),
        };
        if parts.is_empty() {
            p.at(n.pos, msg!("checker_empty", "`checker` needs a program to run"));
            p.hint(msg!("checker_example", "e.g. `checker: [python3, checkers/portal.py]`, or `checker: {{http: \"http://10.0.0.5:9100\"}}` for an ENOWARS checker"));
            return None;
        }
        Some(parts)
    });
    let variants = |p: &mut Problems, key: &str| -> Option<u8> {
        let n = f.get(key)?;
        if http.is_none() {
            p.at(
                n.pos,
                msg!(
                    "variants_need_enowars",
                    "`{field}` variants need an ENOWARS checker (`checker: {{http: …}}`)",
                    field = key
                ),
            );
            return None;
        }
        let v = int_at_least(p, n, &format!("`{key}` (variants)"), 0)?;
        if v > 32 {
            p.at(
                n.pos,
                msg!(
                    "too_many_variants",
                    "`{field}` is at most 32 variants",
                    field = key
                ),
            );
            return None;
        }
        Some(v as u8)
    };
    let noise = variants(p, "noise").unwrap_or(0);
    let havoc = variants(p, "havoc").unwrap_or(0);
    let timeout = match f.get("timeout") {
        Some(n) => {
            pos.timeout = n.pos;
            duration(p, n, "`timeout`").filter(|d| {
                let ok = *d > 0;
                if !ok {
                    p.at(
                        n.pos,
                        msg!(
                            "not_positive",
                            "`{field}` must be longer than zero",
                            field = "timeout"
                        ),
                    );
                }
                ok
            })
        }
        None => Some(10),
    };
    let places = f.get("places").map_or(Some(1), |n| {
        let v = int_at_least(p, n, "`places`", 1)?;
        if v > 255 {
            p.at(
                n.pos,
                msg!("too_many_places", "a service has at most 255 flag places"),
            );
            return None;
        }
        Some(v)
    });
    let host = f.require(p, "host").and_then(|n| {
        let h = string(p, n, "`host`")?;
        let mut rest = h.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').map(|c| open + c);
            let Some(close) = close else {
                p.at(n.pos, msg!("host_unclosed", "`host` `{value}` has a `{{` without `}}`", value = &h));
                return None;
            };
            let name = &rest[open + 1..close];
            if name != "team" && name != "index" {
                p.at(n.pos, msg!("host_unknown_part", "`host` uses `{{{name}}}`, which is not known", name = name));
                p.hint(msg!("host_parts", "use `{{team}}` (the team id) or `{{index}}` (its position, from 1), e.g. `10.60.{{index}}.2:8080`"));
                return None;
            }
            rest = &rest[close + 1..];
        }
        Some(h)
    });
    let mut hosts = Vec::new();
    if let Some(n) = f.get("hosts")
        && let Value::Map(pairs) = &n.value
    {
        for (k, v) in pairs {
            if let (Some(team), Some(addr)) = (
                ident(p, k, "a team id in `hosts`"),
                string(p, v, "an address in `hosts`"),
            ) {
                hosts.push((team, addr));
                pos.hosts.push(k.pos);
            }
        }
    } else if let Some(n) = f.get("hosts") {
        p.at(
            n.pos,
            msg!("hosts_not_map", "`hosts` maps team ids to addresses"),
        );
    }
    let port = host.as_deref().is_some_and(has_port);
    let on_failure = match f.get("on_checker_failure") {
        None => Some(if port { "probe" } else { "up" }.to_owned()),
        Some(n) => string(p, n, "`on_checker_failure`").and_then(|v| match v.as_str() {
            "up" | "down" => Some(v),
            "probe" if port || host.is_none() => Some(v),
            "probe" => {
                p.at(
                    n.pos,
                    msg!("probe_needs_port", "`on_checker_failure: probe` connects to the service, but its `host` has no port"),
                );
                p.hint(msg!("probe_port_fix", "write the port in `host` (e.g. `10.60.{{index}}.2:8080`), or choose `up` or `down`"));
                None
            }
            _ => {
                p.at(n.pos, msg!("bad_on_checker_failure", "`on_checker_failure` is `up`, `down` or `probe`, not `{value}`", value = &v));
                p.hint(msg!("probe_default", "`probe` (connect to the service: refused → down, else checker error) is the default when `host` has a port"));
                None
            }
        }),
    };
    if on_failure.as_deref() == Some("probe") {
        for ((team, addr), at) in hosts.iter().zip(&pos.hosts) {
            if !has_port(addr) {
                p.at(
                    *at,
                    msg!("hosts_needs_port", "the address of `{team}` in `hosts` has no port, which `on_checker_failure: probe` needs", team = team),
                );
                p.hint(msg!("hosts_port_fix", "write it as `host:port` like `host`, or choose `on_checker_failure: up` or `down`"));
            }
        }
    }
    Some((
        Service {
            id: id?,
            name: name?,
            weight: weight?,
            checker: checker?,
            timeout_seconds: timeout?,
            places: places?.clamp(1, 255) as u8,
            host: host?,
            hosts,
            on_checker_failure: on_failure?,
            checker_http: http,
            noise,
            havoc,
        },
        pos,
    ))
}

/// Checks across sections: duplicate service ids, unknown teams in `hosts`, checker timeouts
/// longer than a round, services without `attack_defense` (and the reverse).
pub fn cross_check(
    p: &mut Problems,
    s: &Scenario,
    at: &[ServicePos],
    ad_pos: Option<Pos>,
    services_pos: Option<Pos>,
) {
    match (&s.attack_defense, s.services.is_empty()) {
        (None, false) => {
            p.at(
                services_pos.unwrap_or_default(),
                msg!(
                    "services_need_ad",
                    "`services` need an `attack_defense` section (round length, flags)"
                ),
            );
            p.hint(msg!(
                "add_ad",
                "add `attack_defense: {{round_length: 60s}}`"
            ));
        }
        (Some(_), true) => {
            p.at(
                ad_pos.unwrap_or_default(),
                msg!(
                    "ad_without_services",
                    "`attack_defense` is set but no `services` are listed"
                ),
            );
        }
        _ => {}
    }
    let teams: HashSet<&str> = s.teams.iter().map(|t| t.id.as_str()).collect();
    let mut ids = HashSet::new();
    for (svc, pos) in s.services.iter().zip(at) {
        if !ids.insert(svc.id.as_str()) {
            p.at(
                pos.at,
                msg!(
                    "service_twice",
                    "service id `{id}` is used twice",
                    id = &svc.id
                ),
            );
        }
        if let Some(ad) = &s.attack_defense
            && svc.timeout_seconds >= ad.round_seconds
        {
            p.at(
                pos.timeout,
                msg!(
                    "timeout_not_shorter",
                    "the checker `timeout` of `{id}` is not shorter than a round",
                    id = &svc.id
                ),
            );
            p.hint(msg!("timeout_fix", "check, put and get all run within one round: keep the timeout well under `round_length`"));
        }
        if !teams.is_empty() {
            for ((team, _), tp) in svc.hosts.iter().zip(&pos.hosts) {
                if !teams.contains(team.as_str()) {
                    p.at(
                        *tp,
                        msg!(
                            "hosts_unknown_team",
                            "`hosts` of `{id}` names team `{team}`, which is not defined",
                            id = &svc.id,
                            team = team
                        ),
                    );
                }
            }
        }
    }
}

/// Whether an address ends in `:PORT` (`10.60.1.2:8080`, `{team}.drill:80`, `[::1]:80`).
pub fn has_port(host: &str) -> bool {
    host.rsplit_once(':').is_some_and(|(h, port)| {
        !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
            && (!h.contains(':') || h.ends_with(']'))
    })
}

impl Service {
    /// The address of the instance of the team `team` at 1-based position `index`.
    pub fn host_for(&self, team: &str, index: usize) -> String {
        match self.hosts.iter().find(|(t, _)| t == team) {
            Some((_, h)) => h.clone(),
            None => self
                .host
                .replace("{team}", team)
                .replace("{index}", &index.to_string()),
        }
    }
}
