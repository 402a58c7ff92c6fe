//! Problems found in a scenario, each with where it is and how to fix it.

use std::collections::BTreeMap;
use std::fmt;

use crate::yaml::Pos;

/// A message with a stable code and its parameters: the English `text` is for the command line
/// and API users, and pages say it in their reader's language from `code` and `params`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Msg {
    /// Stable name of the message (`snake_case`), the key of its translations.
    pub code: &'static str,
    /// The values the message names, by the names its translations use.
    pub params: BTreeMap<&'static str, String>,
    /// The message in English.
    pub text: String,
}

/// A [`Msg`] as read back from JSON (a checker worker's answer): codes and names are made
/// `'static` once each ([`intern`]).
#[derive(serde::Deserialize)]
struct MsgWire {
    code: String,
    params: BTreeMap<String, String>,
    text: String,
}

impl<'de> serde::Deserialize<'de> for Msg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        <MsgWire as serde::Deserialize>::deserialize(d).map(Msg::from)
    }
}

impl From<MsgWire> for Msg {
    fn from(w: MsgWire) -> Self {
        Msg {
            code: intern(&w.code),
            params: w.params.into_iter().map(|(k, v)| (intern(&k), v)).collect(),
            text: w.text,
        }
    }
}

/// The one `'static` copy of a code or parameter name. Codes come from a fixed set written in
/// this program, so each is kept once for good.
fn intern(s: &str) -> &'static str {
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = seen.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.to_owned().into_boxed_str());
    seen.insert(k);
    k
}

/// Build a [`Msg`]: `msg!("code", "English with {name}", name = value, …)`. Every parameter is
/// both formatted into the English text and kept by name for translations.
#[macro_export]
macro_rules! msg {
    ($code:literal, $fmt:literal $(, $k:ident = $v:expr)* $(,)?) => {
        // Each value is evaluated once, then both formatted and kept.
        match ($($v,)*) {
            ($($k,)*) => $crate::Msg {
                code: $code,
                params: [$((stringify!($k), ::std::string::ToString::to_string(&$k))),*]
                    .into_iter()
                    .collect(),
                text: format!($fmt $(, $k = $k)*),
            },
        }
    };
}

/// One thing wrong with a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file it is in, as given to the loader.
    pub file: String,
    /// Line, from 1 (0 when the problem is about the file as a whole).
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// Stable name of what is wrong, for pages to translate.
    pub code: &'static str,
    /// The values the message names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
    /// What is wrong, in English.
    pub message: String,
    /// How to fix it, in English, when there is something useful to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Stable name of the hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint_code: Option<&'static str>,
    /// The values the hint names.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub hint_params: BTreeMap<&'static str, String>,
}

impl Problem {
    /// A problem with a whole file (line and column 0).
    pub fn whole_file(file: impl Into<String>, msg: Msg) -> Self {
        Problem {
            file: file.into(),
            line: 0,
            column: 0,
            code: msg.code,
            params: msg.params,
            message: msg.text,
            hint: None,
            hint_code: None,
            hint_params: BTreeMap::new(),
        }
    }

    /// The same problem with a hint.
    pub fn with_hint(mut self, hint: Msg) -> Self {
        self.hint = Some(hint.text);
        self.hint_code = Some(hint.code);
        self.hint_params = hint.params;
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )?;
        if let Some(hint) = &self.hint {
            write!(f, "\n    hint: {hint}")?;
        }
        Ok(())
    }
}

/// Collects problems while a scenario is read, so that all of them can be reported at once.
#[derive(Debug)]
pub struct Problems {
    file: String,
    list: Vec<Problem>,
}

impl Problems {
    /// Start collecting problems for `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Problems {
            file: file.into(),
            list: Vec::new(),
        }
    }

    /// Record a problem at `pos`.
    pub fn at(&mut self, pos: Pos, msg: Msg) -> &mut Self {
        let mut p = Problem::whole_file(self.file.clone(), msg);
        p.line = pos.line;
        p.column = pos.col;
        self.list.push(p);
        self
    }

    /// Record a problem found in another file (`inner`, e.g. a teams CSV) at `pos` of this one.
    /// It keeps its code and parameters, with `in_file` and `in_line` added.
    pub fn within(&mut self, pos: Pos, inner: Problem) {
        let mut p = inner;
        p.message = format!("in {}: line {}: {}", p.file, p.line, p.message);
        p.params.insert("in_file", p.file.clone());
        p.params.insert("in_line", p.line.to_string());
        p.file = self.file.clone();
        p.line = pos.line;
        p.column = pos.col;
        self.list.push(p);
    }

    /// Add a hint to the problem recorded last.
    pub fn hint(&mut self, hint: Msg) {
        if let Some(last) = self.list.last_mut() {
            last.hint = Some(hint.text);
            last.hint_code = Some(hint.code);
            last.hint_params = hint.params;
        }
    }

    /// Whether nothing has been found so far.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The problems found, ordered by position.
    pub fn into_vec(mut self) -> Vec<Problem> {
        self.list.sort_by_key(|p| (p.line, p.column));
        self.list
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            suggest("chalenges", &["teams", "challenges"]),
            Some("challenges")
        );
        assert_eq!(suggest("zzz", &["teams", "challenges"]), None);
    }
}
