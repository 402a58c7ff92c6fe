//! Typed reading of YAML nodes that records a problem instead of stopping.

use std::collections::HashMap;

use chrono::DateTime;

use crate::model::Text;
use crate::msg;
use crate::problem::{Problems, suggest};
use crate::yaml::{Node, Pos, Value};

/// The fields of one YAML mapping, checked against the names that are allowed there.
pub struct Fields<'n> {
    /// Where the mapping starts (for "missing field" problems).
    pub pos: Pos,
    by_name: HashMap<&'n str, &'n Node>,
    what: &'static str,
}

impl<'n> Fields<'n> {
    /// The node of an optional field.
    pub fn get(&self, name: &str) -> Option<&'n Node> {
        self.by_name
            .get(name)
            .copied()
            .filter(|n| !matches!(n.value, Value::Null))
    }

    /// The node of a required field; records a problem when it is missing.
    pub fn require(&self, p: &mut Problems, name: &str) -> Option<&'n Node> {
        let node = self.get(name);
        if node.is_none() {
            p.at(
                self.pos,
                msg!(
                    "missing_field",
                    "{what} is missing the required field `{name}`",
                    what = self.what,
                    name = name
                ),
            );
        }
        node
    }
}

/// Read `node` as a mapping whose keys must be among `known`.
pub fn fields<'n>(
    p: &mut Problems,
    node: &'n Node,
    what: &'static str,
    known: &[&str],
) -> Option<Fields<'n>> {
    let Value::Map(pairs) = &node.value else {
        p.at(
            node.pos,
            msg!(
                "not_a_mapping",
                "{what} must be a mapping of fields, found {found}",
                what = what,
                found = node.kind()
            ),
        );
        return None;
    };
    let mut by_name = HashMap::new();
    for (key, value) in pairs {
        let Value::Scalar { text, .. } = &key.value else {
            p.at(
                key.pos,
                msg!(
                    "field_name_not_word",
                    "a field name in {what} must be a plain word",
                    what = what
                ),
            );
            continue;
        };
        if !known.contains(&text.as_str()) {
            p.at(
                key.pos,
                msg!(
                    "unknown_field",
                    "unknown field `{field}` in {what}",
                    field = text,
                    what = what
                ),
            );
            match suggest(text, known) {
                Some(s) => p.hint(msg!("did_you_mean", "did you mean `{word}`?", word = s)),
                None => p.hint(msg!(
                    "allowed_here",
                    "allowed here: {names}",
                    names = known.join(", ")
                )),
            }
            continue;
        }
        if by_name.insert(text.as_str(), value).is_some() {
            p.at(
                key.pos,
                msg!(
                    "field_twice",
                    "field `{field}` is given twice in {what}",
                    field = text,
                    what = what
                ),
            );
            p.hint(msg!("keep_one", "keep one of them"));
        }
    }
    Some(Fields {
        pos: node.pos,
        by_name,
        what,
    })
}

/// A scalar as text.
pub fn string(p: &mut Problems, node: &Node, what: &str) -> Option<String> {
    match &node.value {
        Value::Scalar { text, .. } => Some(text.clone()),
        _ => {
            p.at(
                node.pos,
                msg!(
                    "not_text",
                    "{what} must be text, found {found}",
                    what = what,
                    found = node.kind()
                ),
            );
            None
        }
    }
}

/// A non-empty identifier of lowercase letters, digits, `-` and `_`.
pub fn ident(p: &mut Problems, node: &Node, what: &str) -> Option<String> {
    let s = string(p, node, what)?;
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !ok {
        p.at(
            node.pos,
            msg!(
                "bad_ident",
                "{what} `{value}` is not a valid identifier",
                what = what,
                value = &s
            ),
        );
        p.hint(msg!(
            "ident_rule",
            "use 1 to 64 lowercase letters, digits, `-` or `_`, e.g. `web-01`"
        ));
        return None;
    }
    Some(s)
}

/// A whole number.
pub fn int(p: &mut Problems, node: &Node, what: &str) -> Option<i64> {
    match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } => match text.replace('_', "").parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                p.at(
                    node.pos,
                    msg!(
                        "not_whole_number",
                        "{what} must be a whole number, found `{value}`",
                        what = what,
                        value = text
                    ),
                );
                None
            }
        },
        _ => {
            p.at(
                node.pos,
                msg!(
                    "not_whole_number_kind",
                    "{what} must be a whole number, found {found}",
                    what = what,
                    found = node.kind()
                ),
            );
            p.hint(msg!(
                "number_unquoted",
                "write it without quotes, e.g. `100`"
            ));
            None
        }
    }
}

/// A whole number that is at least `min`.
pub fn int_at_least(p: &mut Problems, node: &Node, what: &str, min: i64) -> Option<i64> {
    let n = int(p, node, what)?;
    if n < min {
        p.at(
            node.pos,
            msg!(
                "below_min",
                "{what} must be at least {min}, found {value}",
                what = what,
                min = min,
                value = n
            ),
        );
        return None;
    }
    Some(n)
}

/// A number (integer or decimal).
pub fn float(p: &mut Problems, node: &Node, what: &str) -> Option<f64> {
    match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } => match text.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                p.at(
                    node.pos,
                    msg!(
                        "not_number",
                        "{what} must be a number, found `{value}`",
                        what = what,
                        value = text
                    ),
                );
                None
            }
        },
        _ => {
            p.at(
                node.pos,
                msg!(
                    "not_number_kind",
                    "{what} must be a number, found {found}",
                    what = what,
                    found = node.kind()
                ),
            );
            None
        }
    }
}

/// `true` or `false`.
pub fn boolean(p: &mut Problems, node: &Node, what: &str) -> Option<bool> {
    match &node.value {
        Value::Scalar {
            text,
            quoted: false,
        } if text == "true" || text == "false" => Some(text == "true"),
        _ => {
            p.at(
                node.pos,
                msg!(
                    "not_boolean",
                    "{what} must be `true` or `false`",
                    what = what
                ),
            );
            None
        }
    }
}

/// A duration such as `4h`, `90m`, `1h30m` or `45s`, in seconds.
pub fn duration(p: &mut Problems, node: &Node, what: &str) -> Option<i64> {
    let s = string(p, node, what)?;
    match parse_duration(&s) {
        Some(secs) => Some(secs),
        None => {
            p.at(
                node.pos,
                msg!(
                    "not_duration",
                    "{what} `{value}` is not a duration",
                    what = what,
                    value = &s
                ),
            );
            p.hint(msg!(
                "duration_rule",
                "write a number with a unit: `4h`, `90m`, `1h30m`, `45s` (units d, h, m, s)"
            ));
            None
        }
    }
}

/// Parse `1h30m`-style durations into seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: i64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        return None;
    }
    Some(total)
}

/// An RFC 3339 date and time with an offset, as (milliseconds since epoch, offset seconds).
pub fn datetime(p: &mut Problems, node: &Node, what: &str) -> Option<(i64, i32)> {
    let s = string(p, node, what)?;
    match DateTime::parse_from_rfc3339(s.trim()) {
        Ok(t) => Some((t.timestamp_millis(), t.offset().local_minus_utc())),
        Err(e) => {
            p.at(
                node.pos,
                msg!(
                    "not_datetime",
                    "{what} `{value}` is not a date and time: {detail}",
                    what = what,
                    value = &s,
                    detail = e
                ),
            );
            p.hint(msg!(
                "datetime_rule",
                "write it with its offset, e.g. `2026-12-01T08:00:00+07:00`"
            ));
            None
        }
    }
}

/// A bilingual text: a plain string, or a mapping with `vi` and `en`.
pub fn text(p: &mut Problems, node: &Node, what: &'static str) -> Option<Text> {
    if let Value::Scalar { text, .. } = &node.value {
        return Some(Text::same(text.clone()));
    }
    let f = fields(p, node, what, &["vi", "en"])?;
    let vi = f.get("vi").and_then(|n| string(p, n, "`vi`"));
    let en = f.get("en").and_then(|n| string(p, n, "`en`"));
    match (vi, en) {
        (Some(vi), Some(en)) => Some(Text { vi, en }),
        (Some(one), None) | (None, Some(one)) => Some(Text::same(one)),
        (None, None) => {
            p.at(
                node.pos,
                msg!(
                    "text_needs_language",
                    "{what} needs `vi` or `en` text",
                    what = what
                ),
            );
            None
        }
    }
}

/// The items of a list.
pub fn list<'n>(p: &mut Problems, node: &'n Node, what: &str) -> &'n [Node] {
    match &node.value {
        Value::Seq(items) => items,
        _ => {
            p.at(
                node.pos,
                msg!(
                    "not_a_list",
                    "{what} must be a list, found {found}",
                    what = what,
                    found = node.kind()
                ),
            );
            &[]
        }
    }
}

/// A list of texts.
pub fn strings(p: &mut Problems, node: &Node, what: &str) -> Vec<String> {
    list(p, node, what)
        .iter()
        .filter_map(|n| string(p, n, what))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("4h"), Some(14_400));
        assert_eq!(parse_duration("1h30m"), Some(5_400));
        assert_eq!(parse_duration("45s"), Some(45));
        assert_eq!(parse_duration("4"), None);
        assert_eq!(parse_duration("h"), None);
        assert_eq!(parse_duration("4x"), None);
    }
}
