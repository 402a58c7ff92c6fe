//! Problems found in a scenario, each with where it is and how to fix it.

use std::fmt;

use crate::yaml::Pos;

/// One thing wrong with a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file it is in, as given to the loader.
    pub file: String,
    /// Line, from 1 (0 when the problem is about the file as a whole).
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
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
    pub fn at(&mut self, pos: Pos, message: impl Into<String>) -> &mut Self {
        self.list.push(Problem {
            file: self.file.clone(),
            line: pos.line,
            column: pos.col,
            message: message.into(),
            hint: None,
        });
        self
    }

    /// Add a hint to the problem recorded last.
    pub fn hint(&mut self, hint: impl Into<String>) {
        if let Some(last) = self.list.last_mut() {
            last.hint = Some(hint.into());
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
