//! Every problem the scenario checks can report, and every checker failure an alert can name,
//! has a Vietnamese template in `web/problem-texts.js`, naming only parameters the server sends;
//! every `what` phrase the reader passes has a Vietnamese rendering. Read from the sources, so a
//! new message without a translation fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use regex::Regex;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_sources() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let dir = root().join("crates/scenario/src");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            out.push((
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    for (name, path) in [
        ("checkers.rs", "crates/api/src/checkers.rs"),
        ("ticker.rs", "crates/api/src/game/ticker.rs"),
        ("workers.rs", "crates/api/src/game/workers.rs"),
        ("checker.rs", "crates/gameserver/src/checker.rs"),
        ("enowars.rs", "crates/gameserver/src/enowars.rs"),
        ("round.rs", "crates/gameserver/src/round.rs"),
    ] {
        out.push((
            name.into(),
            std::fs::read_to_string(root().join(path)).unwrap(),
        ));
    }
    out
}

/// code → (English template, parameter names the server sends), from every `msg!` call.
fn server_codes() -> BTreeMap<String, (String, BTreeSet<String>)> {
    let call = Regex::new(
        r#"msg!\(\s*"(\w+)",\s*"((?:[^"\\]|\\.)*)"((?:\s*,\s*\w+\s*=\s*(?:[^,()]|\([^()]*\))+)*)"#,
    )
    .unwrap();
    let param = Regex::new(r",\s*(\w+)\s*=").unwrap();
    let mut out = BTreeMap::new();
    for (file, src) in rust_sources() {
        for c in call.captures_iter(&src) {
            if &c[1] == "code" {
                continue; // the macro's own documentation
            }
            let mut names: BTreeSet<String> = param
                .captures_iter(&c[3])
                .map(|p| p[1].to_owned())
                .collect();
            if file == "checkers.rs" {
                names.insert("service".into()); // added to every checker problem
            }
            let entry = out
                .entry(c[1].to_owned())
                .or_insert_with(|| (c[2].to_owned(), BTreeSet::new()));
            entry.1.extend(names);
        }
    }
    out
}

/// code → Vietnamese template, from the `VI` table of web/problem-texts.js.
fn page_templates() -> (String, BTreeMap<String, String>) {
    let js = std::fs::read_to_string(root().join("web/problem-texts.js")).unwrap();
    let start = js.find("const VI = {").expect("the VI table");
    let end = start + js[start..].find("\n};").unwrap();
    let entry = Regex::new(r"(?m)^\s+(\w+): '((?:[^'\\]|\\.)*)',$").unwrap();
    let table = entry
        .captures_iter(&js[start..end])
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect();
    (js, table)
}

#[test]
fn every_problem_code_has_a_vietnamese_template_with_known_parameters() {
    let server = server_codes();
    let (_, page) = page_templates();
    assert!(server.len() > 100, "found only {} codes", server.len());
    let placeholder = Regex::new(r"\{(\w+)\}").unwrap();
    let mut wrong = Vec::new();
    for (code, (english, params)) in &server {
        let Some(vi) = page.get(code) else {
            wrong.push(format!("`{code}` ({english}) has no Vietnamese template"));
            continue;
        };
        for p in placeholder.captures_iter(vi) {
            let name = &p[1];
            let literal = english.contains(&format!("{{{{{name}}}}}"));
            if !params.contains(name) && !literal {
                wrong.push(format!(
                    "`{code}`: the template names {{{name}}}, which the server does not send"
                ));
            }
        }
        for name in params {
            if name != "service" && !vi.contains(&format!("{{{name}}}")) {
                wrong.push(format!("`{code}`: the template leaves out {{{name}}}"));
            }
        }
    }
    for code in page.keys() {
        if !server.contains_key(code) {
            wrong.push(format!(
                "`{code}` is translated but the server never sends it"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_what_phrase_reads_in_vietnamese() {
    let (js, _) = page_templates();
    let call = Regex::new(
        r#"\b(?:fields|string|ident|int|int_at_least|float|boolean|duration|datetime|text|list|strings)\(\s*p,\s*[^,()]+(?:\([^()]*\))?,\s*"((?:[^"\\]|\\.)*)""#,
    )
    .unwrap();
    let just_a_field = Regex::new(r"^`[^`]+`$").unwrap();
    let mut phrases = BTreeSet::new();
    for (_, src) in rust_sources() {
        for c in call.captures_iter(&src) {
            phrases.insert(c[1].to_owned());
        }
    }
    assert!(phrases.len() > 50, "found only {} phrases", phrases.len());
    // Phrases built at run time.
    phrases.insert("`noise` (variants)".into());
    phrases.insert("`havoc` (variants)".into());
    let missing: Vec<_> = phrases
        .iter()
        .filter(|p| !just_a_field.is_match(p) && !js.contains(&format!("'{p}':")))
        .collect();
    assert!(missing.is_empty(), "no Vietnamese for: {missing:?}");
}
