//! The whole exercise as one JSON document: what an organiser archives after the drill, and what
//! an auditor needs to recompute every score.

use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::ops::frozen_at;
use crate::routes::public::iso;
use crate::state::AppState;

/// Build the export. Password hashes and token hashes are never included.
pub async fn export(state: &AppState) -> ApiResult<Value> {
    let store = state.store();
    let now = state.now();
    let teams = store.teams().await?;
    let users = store.users().await?;
    let events = store.events().await?;
    let submissions = store.submissions().await?;
    let audit = store.audit_log().await?;
    let announcements = store.announcements().await?;
    let mut reports = Vec::new();
    for r in store.reports().await? {
        let mut versions = Vec::new();
        for v in store.versions(r.id).await? {
            let files = store.files(v.id).await?;
            let marks = store.marks(v.id).await?;
            versions.push(json!({
                "version": v.version,
                "submitted_at": iso(v.submitted_at),
                "author": v.author,
                "body": v.body,
                "files": files.iter().map(|f| json!({"filename": f.filename, "content_type": f.content_type, "size": f.size})).collect::<Vec<_>>(),
                "marks": marks.iter().map(|m| json!({
                    "stage": m.stage, "judge": m.judge, "total": m.total, "submitted_at": iso(m.submitted_at),
                    "scores": serde_json::from_str::<Value>(&m.scores).unwrap_or(Value::Null),
                    "comments": serde_json::from_str::<Value>(&m.comments).unwrap_or(Value::Null),
                })).collect::<Vec<_>>(),
            }));
        }
        reports.push(
            json!({"code": r.code, "team": r.team, "inject": r.inject, "versions": versions}),
        );
    }
    let live = state.live();
    let frozen = live
        .exercise
        .as_ref()
        .and_then(|r| r.freeze_at.filter(|f| !r.freeze_released && *f <= now));
    Ok(json!({
        "format": "drillboard-export/1",
        "exported_at": iso(now),
        "exercise": live.exercise.as_ref().map(|r| json!({
            "id": r.id,
            "status": crate::ops::status(r, now),
            "started_at": r.started_at.map(iso),
            "ends_at": r.ends_at.map(iso),
            "freeze_at": r.freeze_at.map(iso),
            "freeze_released": r.freeze_released,
            "frozen_now": frozen_at(r, now).is_some(),
            "injects_released_early": crate::state::early_releases(r)
                .into_iter()
                .map(|(id, at)| (id, json!(iso(at))))
                .collect::<serde_json::Map<String, Value>>(),
        })),
        "scenario": live.scenario.as_deref(),
        "teams": teams.iter().map(|t| json!({
            "id": t.slug, "name": t.name, "organisation": t.organisation,
            "members": serde_json::from_str::<Value>(&t.members).unwrap_or(json!([])), "hidden": t.hidden,
        })).collect::<Vec<_>>(),
        "users": users.iter().map(|u| json!({
            "username": u.username, "role": u.role,
            "team": u.team_id.and_then(|id| teams.iter().find(|t| t.id == id)).map(|t| t.slug.clone()),
            "disabled": u.disabled,
            "lead": u.lead,
        })).collect::<Vec<_>>(),
        "events": events.iter().map(|(e, actor)| json!({"seq": e.seq, "at": iso(e.at), "at_ms": e.at, "team": e.team, "actor": actor, "event": e.kind})).collect::<Vec<_>>(),
        "submissions": submissions.iter().map(|s| json!({"at": iso(s.at), "team": s.team, "challenge": s.challenge, "submitted": s.submitted, "correct": s.correct})).collect::<Vec<_>>(),
        "reports": reports,
        "announcements": announcements.iter().rev().map(|a| json!({"at": iso(a.at), "author": a.author, "text": {"vi": a.text_vi, "en": a.text_en}})).collect::<Vec<_>>(),
        "standings": {
            "live": live.standings(None).as_deref(),
            "at_freeze": frozen.and_then(|f| live.standings(Some(f))).as_deref(),
        },
        "audit": audit.iter().map(|a| json!({"at": iso(a.at), "actor": a.actor, "action": a.action, "detail": serde_json::from_str::<Value>(&a.detail).unwrap_or(Value::Null)})).collect::<Vec<_>>(),
    }))
}

/// The live results as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
/// Vietnamese names right): one row per ranked team, every component, in rank order.
pub fn results_csv(live: &crate::state::Live, s: &drillboard_scoring::Standings) -> String {
    let mut out = String::from(
        "\u{feff}rank,of,team,name,organisation,score,tasks,attack,defense,sla,reports,adjustments,solves\n",
    );
    for st in &s.standings {
        let org = live.team(&st.team).map_or("", |t| t.organisation.as_str());
        let c = &st.components;
        let row = [
            st.rank.to_string(),
            s.of.to_string(),
            csv_text(&st.team),
            csv_text(&st.name),
            csv_text(org),
            csv_number(st.score),
            csv_number(c.tasks),
            csv_number(c.attack),
            csv_number(c.defense),
            csv_number(c.sla),
            csv_number(c.reports),
            csv_number(c.adjustments),
            st.solves.to_string(),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A number as a spreadsheet reads it (at most 4 decimals, no trailing zeros).
fn csv_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_owned() }
}

/// A text cell: quoted when needed, and never read as a formula (a leading `=`, `+`, `-`, `@`
/// gets an apostrophe, as OWASP advises against CSV injection).
fn csv_text(t: &str) -> String {
    let t = if t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{t}")
    } else {
        t.to_owned()
    };
    if t.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells() {
        assert_eq!(csv_text("Đội Hà Nội"), "Đội Hà Nội");
        assert_eq!(csv_text("a,b"), "\"a,b\"");
        assert_eq!(csv_text("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_text("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_text("-1,2"), "\"'-1,2\"");
        assert_eq!(csv_number(120.0), "120");
        assert_eq!(csv_number(4.0 + 4.0 * 2f64.sqrt()), "9.6569");
        assert_eq!(csv_number(-0.00001), "0");
        assert_eq!(csv_number(-2.5), "-2.5");
    }
}
