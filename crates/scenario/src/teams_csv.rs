//! Teams from a CSV file: `name,organisation,members[,id]` with a header row.

use crate::model::Team;
use crate::msg;
use crate::problem::{Problem, Problems};
use crate::yaml::Pos;

/// Parse a team roster. Members are separated by `;`. A missing `id` is made from the name.
pub fn parse_teams_csv(text: &str, file: &str) -> Result<Vec<Team>, Vec<Problem>> {
    let mut p = Problems::new(file);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_lowercase()).collect(),
        Err(e) => {
            p.at(
                Pos { line: 1, col: 1 },
                msg!(
                    "csv_bad_header",
                    "cannot read the header row: {detail}",
                    detail = e
                ),
            );
            return Err(p.into_vec());
        }
    };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(name_col), org_col, members_col, id_col) = (
        col("name"),
        col("organisation").or(col("province")),
        col("members"),
        col("id"),
    ) else {
        p.at(
            Pos { line: 1, col: 1 },
            msg!("csv_no_name_column", "the header row has no `name` column"),
        );
        p.hint(msg!(
            "csv_header_example",
            "start the file with `name,organisation,members` (an `id` column is optional)"
        ));
        return Err(p.into_vec());
    };
    let mut teams = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                p.at(
                    Pos { line, col: 1 },
                    msg!("csv_bad_row", "cannot read this row: {detail}", detail = e),
                );
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").to_owned();
        let name = get(Some(name_col));
        if name.is_empty() {
            p.at(
                Pos { line, col: 1 },
                msg!("csv_empty_name", "the team name is empty"),
            );
            continue;
        }
        let id = match get(id_col) {
            s if s.is_empty() => slug(&name),
            s => s,
        };
        if id.is_empty() {
            p.at(
                Pos { line, col: 1 },
                msg!(
                    "csv_no_id",
                    "cannot make an id from the name `{name}`",
                    name = &name
                ),
            );
            p.hint(msg!(
                "csv_add_id",
                "add an `id` column with a short name such as `hanoi`"
            ));
            continue;
        }
        let valid = id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !valid {
            p.at(
                Pos { line, col: 1 },
                msg!(
                    "csv_bad_id",
                    "team id `{id}` is not a valid identifier",
                    id = &id
                ),
            );
            p.hint(msg!(
                "ident_rule",
                "use 1 to 64 lowercase letters, digits, `-` or `_`, e.g. `web-01`"
            ));
            continue;
        }
        if name.chars().count() > 100 {
            p.at(
                Pos { line, col: 1 },
                msg!(
                    "csv_long_name",
                    "the team name is longer than 100 characters"
                ),
            );
            continue;
        }
        if teams.iter().any(|t: &Team| t.id == id) {
            p.at(
                Pos { line, col: 1 },
                msg!(
                    "csv_id_twice",
                    "team id `{id}` appears twice in this file",
                    id = &id
                ),
            );
            continue;
        }
        teams.push(Team {
            id,
            name,
            organisation: get(org_col),
            members: get(members_col)
                .split(';')
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned)
                .collect(),
            networks: Vec::new(),
        });
    }
    if p.is_empty() {
        Ok(teams)
    } else {
        Err(p.into_vec())
    }
}

/// An identifier made from a display name: Vietnamese letters lose their marks, `đ` becomes `d`,
/// everything else that is not a letter or digit becomes `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        let c = base_letter(c);
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(64);
    out
}

fn base_letter(c: char) -> char {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("đ", 'd'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
    ];
    GROUPS
        .iter()
        .find(|(letters, _)| letters.contains(c))
        .map_or(c, |(_, base)| *base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_strip_vietnamese_marks() {
        assert_eq!(slug("Sở TT&TT Hà Nội"), "so-tt-tt-ha-noi");
        assert_eq!(slug("  Đà Nẵng  "), "da-nang");
    }

    #[test]
    fn reads_rows_and_reports_bad_ones() {
        let teams = parse_teams_csv(
            "name,organisation,members\nĐội Huế,Sở TTTT Huế,An; Bình\n",
            "t.csv",
        )
        .unwrap();
        assert_eq!(teams[0].id, "doi-hue");
        assert_eq!(teams[0].members, vec!["An", "Bình"]);
        let err = parse_teams_csv("name,members\n,x\nok,y\n", "t.csv").unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].line, 2);
        let err = parse_teams_csv("name,id\nA,Bad Id\nB,b\nC,b\n", "t.csv").unwrap_err();
        assert_eq!(err.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 4]);
        let err = parse_teams_csv("team,members\nA,x\n", "t.csv").unwrap_err();
        assert!(err[0].message.contains("`name`"));
    }
}
