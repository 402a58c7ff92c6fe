//! Blind marking by content: a report that names its own team (its name, id, organisation or a
//! member) is shown to judges with those words hidden, and the team is warned before it submits.

use drillboard_store::TeamRow;

/// What judges see in place of a hidden name.
pub const HIDDEN: &str = "[đội · team]";

/// Shortest name that is hidden (shorter ones are ordinary words or initials).
const MIN_CHARS: usize = 3;

/// The words that identify `team`: name, id, organisation and members, longest first (so that
/// "Đội ƯCSC Hà Nội" is hidden whole before "Hà Nội" could be).
pub fn identity(team: &TeamRow) -> Vec<String> {
    let members: Vec<String> = serde_json::from_str(&team.members).unwrap_or_default();
    let mut words: Vec<String> = [
        team.name.clone(),
        team.slug.clone(),
        team.organisation.clone(),
    ]
    .into_iter()
    .chain(members)
    .map(|w| w.trim().to_owned())
    .filter(|w| w.chars().count() >= MIN_CHARS)
    .collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.dedup();
    words
}

/// `text` with every occurrence of any of `words` (ignoring case) replaced by [`HIDDEN`], and how
/// many were replaced.
pub fn redact(text: &str, words: &[String]) -> (String, usize) {
    if words.is_empty() {
        return (text.to_owned(), 0);
    }
    let lower: Vec<Vec<char>> = words
        .iter()
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
        .collect();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut i = 0;
    'outer: while i < chars.len() {
        // Whole words only: a member "Lê Nam" hides "Lê Nam", not part of "Lê Namkhánh".
        let starts_word = i == 0 || !chars[i - 1].1.is_alphanumeric();
        for w in lower.iter().filter(|_| starts_word) {
            if let Some(len) = matches_at(&chars[i..], w)
                && chars.get(i + len).is_none_or(|(_, c)| !c.is_alphanumeric())
            {
                out.push_str(HIDDEN);
                count += 1;
                i += len;
                continue 'outer;
            }
        }
        out.push(chars[i].1);
        i += 1;
    }
    (out, count)
}

/// How many characters of `text` match `word` (lowercase) at its start, if they do.
fn matches_at(text: &[(usize, char)], word: &[char]) -> Option<usize> {
    let mut want = word.iter().copied();
    let mut next = want.next();
    let mut used = 0;
    while next.is_some() {
        let (_, c) = text.get(used)?;
        for l in c.to_lowercase() {
            if next != Some(l) {
                return None;
            }
            next = want.next();
        }
        used += 1;
    }
    Some(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> TeamRow {
        TeamRow {
            id: 1,
            slug: "bac-ninh".into(),
            name: "Đội ƯCSC Bắc Ninh".into(),
            organisation: "Sở TT&TT Bắc Ninh".into(),
            members: r#"["Nguyễn Văn An", "Lê B"]"#.into(),
            hidden: false,
            created_at: 0,
        }
    }

    #[test]
    fn names_are_hidden_whatever_their_case() {
        let words = identity(&team());
        let (text, n) = redact(
            "# Báo cáo của ĐỘI ƯCSC BẮC NINH\n\nLiên hệ: nguyễn văn an (Sở TT&TT Bắc Ninh), mã bac-ninh.",
            &words,
        );
        assert_eq!(n, 4, "{text}");
        assert_eq!(
            text,
            format!("# Báo cáo của {HIDDEN}\n\nLiên hệ: {HIDDEN} ({HIDDEN}), mã {HIDDEN}.")
        );
        let (same, n) = redact("Không nêu tên đội nào. Bắc Ninhx, xbac-ninh.", &words);
        assert_eq!(
            (same.as_str(), n),
            ("Không nêu tên đội nào. Bắc Ninhx, xbac-ninh.", 0),
            "only whole words"
        );
    }
}
