//! Injects, incident reports and blind, double-marked grading.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine as _;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, Drill, T0, board_rows};

both!(
    organiser_views_export_and_reload,
    injects_appear_on_time_for_their_audience,
    late_factor_and_cutoff,
    double_marking_and_moderation,
    judges_never_see_team_identity,
    teams_see_only_their_own,
    report_html_is_sanitised,
    attachments_are_checked,
    drafts_and_guidance_are_rendered_as_submitted_reports_are,
    a_report_naming_its_team_is_shown_to_judges_with_the_names_hidden,
    an_inject_released_early_counts_its_deadline_from_then
);

const MIN: i64 = 60_000;

fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

async fn submit(d: &Drill, team: &str, inject: &str, body: Value) -> (StatusCode, Value) {
    d.app
        .call(
            Method::PUT,
            &format!("/api/v1/injects/{inject}/report"),
            Some(d.team(team)),
            Some(body),
        )
        .await
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn injects_appear_on_time_for_their_audience(backend: Backend) {
    let d = Drill::started(backend).await;
    let (_, alpha) = d.app.get("/api/v1/injects", Some(d.team("alpha"))).await;
    assert_eq!(
        ids(&alpha),
        ["notice"],
        "deface is released after 10 min, phish only goes to bravo"
    );
    let (_, bravo) = d.app.get("/api/v1/injects", Some(d.team("bravo"))).await;
    assert_eq!(ids(&bravo), ["phish", "notice"]);
    let (s, _) = submit(&d, "alpha", "deface", json!({"body": "early"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not released yet");
    let (s, _) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "an unreleased inject does not exist for the team"
    );
    let (s, _) = submit(&d, "alpha", "phish", json!({"body": "not for us"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not in the audience");
    let (s, _) = submit(&d, "bravo", "notice", json!({"body": "x"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "no report asked");
    d.app.set_time(T0 + 10 * MIN);
    let (_, alpha) = d.app.get("/api/v1/injects", Some(d.team("alpha"))).await;
    assert_eq!(ids(&alpha), ["deface", "notice"]);
    let deface = &alpha[0];
    assert_eq!(deface["report"]["due_at"], "2026-12-01T01:55:00.000Z");
    assert_eq!(deface["report"]["closes_at"], "2026-12-01T02:25:00.000Z");
    assert!(
        deface["report"]["rubric"][0]["guidance"].is_null(),
        "guidance is for judges only"
    );
    assert!(deface["body_html"]["en"].as_str().unwrap().contains("<p>"));
    let (_, staff) = d.app.get("/api/v1/injects", Some(&d.judge)).await;
    assert_eq!(ids(&staff), ["deface", "phish", "notice"]);
    assert_eq!(
        staff[0]["report"]["rubric"][0]["guidance"]["en"],
        "Did they find the webshell?"
    );
    d.finish().await;
}

async fn late_factor_and_cutoff(backend: Backend) {
    let d = Drill::started(backend).await;
    // Due at T0 + 55 min, 5 min grace, 2 % per started minute, closes 30 min after the due time.
    d.app.set_time(T0 + 60 * MIN);
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": "on the grace edge"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["minutes_late"].as_i64(), b["late_factor"].as_f64()),
        (Some(0), Some(1.0))
    );
    d.app.set_time(T0 + 61 * MIN + 30_000);
    let (_, b) = submit(&d, "charlie", "deface", json!({"body": "a little late"})).await;
    assert_eq!(b["minutes_late"], 2);
    assert!(
        (b["late_factor"].as_f64().unwrap() - 0.96).abs() < 1e-9,
        "{b}"
    );
    d.app.set_time(T0 + 85 * MIN);
    let (s, b) = submit(&d, "bravo", "deface", json!({"body": "at the cutoff"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["minutes_late"], 25);
    assert!((b["late_factor"].as_f64().unwrap() - 0.5).abs() < 1e-9);
    d.app.advance(1);
    let (s, b) = submit(&d, "bravo", "deface", json!({"body": "too late"})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("submissions_closed")),
        "{b}"
    );
    // Every version is kept; the last one before the cutoff counts.
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("bravo")))
        .await;
    assert_eq!(mine["versions"].as_array().unwrap().len(), 1);
    d.finish().await;
}

async fn mark(
    d: &Drill,
    judge: &str,
    code: &str,
    version: i64,
    detect: f64,
    contain: f64,
) -> (StatusCode, Value) {
    d.app
        .post(
            &format!("/api/v1/marking/{code}"),
            Some(judge),
            json!({"version": version, "scores": {"detect": detect, "contain": contain}, "comments": {"detect": format!("detect {detect}")}, "comment": "checked"}),
        )
        .await
}

async fn code_of(d: &Drill, judge: &str, nth: usize) -> String {
    let (_, q) = d.app.get("/api/v1/marking", Some(judge)).await;
    q[nth]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("queue: {q}"))
        .to_owned()
}

async fn double_marking_and_moderation(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "We found the webshell in /uploads."}),
    )
    .await;
    d.app.advance(MIN);
    submit(
        &d,
        "charlie",
        "deface",
        json!({"body": "We isolated the server."}),
    )
    .await;
    let (_, q) = d.app.get("/api/v1/marking", Some(&d.judge)).await;
    assert_eq!(q.as_array().unwrap().len(), 2, "{q}");
    assert!(q.as_array().unwrap().iter().all(|i| i["stage"] == "first"));
    let (_, org) = d.app.get("/api/v1/reports", Some(&d.organiser)).await;
    let code_for = |team: &str| {
        org.as_array()
            .unwrap()
            .iter()
            .find(|r| r["team"] == team)
            .unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (a, c) = (code_for("alpha"), code_for("charlie"));

    // Alpha: two judges agree within the threshold: the grade is the per-criterion mean.
    let (s, b) = mark(&d, &d.judge, &a, 1, 8.0, 6.0).await;
    assert_eq!(
        (s, b["stage"].as_str()),
        (StatusCode::OK, Some("first")),
        "{b}"
    );
    assert_eq!(b["status"]["stage"], "second");
    let (s, b) = mark(&d, &d.judge, &a, 1, 8.0, 6.0).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_marked")),
        "the first marker cannot be the second"
    );
    let (_, q) = d.app.get("/api/v1/marking", Some(&d.judge)).await;
    assert!(
        q.as_array().unwrap().iter().all(|i| i["code"] != a),
        "nothing left for the first marker"
    );
    let (_, before) = d
        .app
        .get(&format!("/api/v1/marking/{a}"), Some(&d.judge2))
        .await;
    assert_eq!(before["stage"], "second");
    assert_eq!(
        before["marks"],
        json!([]),
        "the second marker does not see the first mark before marking"
    );
    let (s, b) = d
        .app
        .post(
            &format!("/api/v1/marking/{a}"),
            Some(&d.judge2),
            json!({"version": 1, "scores": {"detect": 11, "contain": 5}}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("scores.detect")),
        "{b}"
    );
    let (s, b) = d
        .app
        .post(
            &format!("/api/v1/marking/{a}"),
            Some(&d.judge2),
            json!({"version": 1, "scores": {"detect": 7}}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("scores.contain")),
        "{b}"
    );
    let (s, b) = mark(&d, &d.judge2, &a, 2, 7.0, 5.0).await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("version")),
        "no version 2 yet: {b}"
    );
    let (s, b) = mark(&d, &d.judge2, &a, 1, 7.0, 5.0).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        b["status"],
        json!({"state": "final", "criteria": [["detect", 7.5], ["contain", 5.5]], "by": "agreed"})
    );
    let (_, after) = d
        .app
        .get(&format!("/api/v1/marking/{a}"), Some(&d.judge2))
        .await;
    assert_eq!(
        after["marks"].as_array().unwrap().len(),
        2,
        "after marking, both marks are visible"
    );

    // Charlie: 18 against 8 is beyond the threshold of 4: a lead judge moderates.
    mark(&d, &d.judge, &c, 1, 9.0, 9.0).await;
    let (_, b) = mark(&d, &d.judge2, &c, 1, 4.0, 4.0).await;
    assert_eq!(
        b["status"],
        json!({"state": "awaiting", "stage": "moderation"})
    );
    let (_, q) = d.app.get("/api/v1/marking", Some(&d.judge2)).await;
    assert!(q.as_array().unwrap().is_empty(), "{q}");
    let (_, q) = d.app.get("/api/v1/marking", Some(&d.lead)).await;
    assert_eq!(q.as_array().unwrap().len(), 1, "{q}");
    assert_eq!(q[0]["stage"], "moderation");
    let (_, detail) = d
        .app
        .get(&format!("/api/v1/marking/{c}"), Some(&d.lead))
        .await;
    assert_eq!(
        detail["marks"].as_array().unwrap().len(),
        2,
        "the moderator sees both marks"
    );
    let (s, _) = mark(&d, &d.judge2, &c, 1, 6.0, 6.0).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, b) = mark(&d, &d.lead, &c, 1, 7.0, 6.0).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["status"]["by"], "moderated");
    let (s, _) = mark(&d, &d.organiser, &c, 1, 1.0, 1.0).await;
    assert_eq!(s, StatusCode::CONFLICT, "the moderator's decision is final");

    // Grades count, and teams see them, only once released.
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_eq!(mine["grade"], Value::Null, "{mine}");
    let (_, board) = d.app.get("/api/v1/scoreboard", Some(&d.organiser)).await;
    assert!(
        board_rows(&board)
            .iter()
            .all(|s| s["components"]["reports"] == 0.0)
    );
    d.app.advance(MIN);
    let (s, _) = d
        .app
        .post(
            "/api/v1/injects/deface/release-grades",
            Some(&d.judge),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = d
        .app
        .post(
            "/api/v1/injects/deface/release-grades",
            Some(&d.organiser),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    let grade = &mine["grade"];
    assert_eq!(grade["total"], 13.0, "{mine}");
    assert_eq!(grade["late_factor"], 1.0);
    assert_eq!(grade["criteria"][0]["score"], 7.5);
    assert_eq!(
        grade["criteria"][0]["comments"],
        json!(["detect 8", "detect 7"])
    );
    assert_eq!(grade["comments"], json!(["checked", "checked"]));
    let (_, board) = d.app.get("/api/v1/scoreboard", None).await;
    let rows = board_rows(&board);
    let row = |id: &str| rows.iter().find(|s| s["team"]["id"] == id).unwrap().clone();
    assert_eq!(row("alpha")["components"]["reports"], 13.0);
    assert_eq!(row("alpha")["score"], 13.0);
    assert_eq!(row("charlie")["score"], 13.0, "the moderator's 7 + 6");
    let (_, alpha) = d.app.get("/api/v1/scoreboard/teams/alpha", None).await;
    assert_eq!(alpha["components"]["reports"], 13.0, "{alpha}");
    assert_eq!(
        alpha["reports"][0]["criteria"],
        json!([["detect", 7.5], ["contain", 5.5]])
    );
    // Both reached 13 at the moment of the release: the name decides, "Charlie" before "Zeta Alpha".
    assert_eq!(
        (
            row("charlie")["rank"].as_i64(),
            row("alpha")["rank"].as_i64()
        ),
        (Some(1), Some(2))
    );
    d.finish().await;
}

async fn judges_never_see_team_identity(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    let pdf = b"%PDF-1.4 timeline".to_vec();
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": "Timeline attached.", "attachments": [{"filename": "alpha-timeline.pdf", "content_base64": b64(&pdf)}]})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let mut bodies = Vec::new();
    for judge in [&d.judge, &d.judge2, &d.lead] {
        let (_, q) = d.app.get("/api/v1/marking", Some(judge)).await;
        bodies.push(q.to_string());
        if let Some(code) = q[0]["code"].as_str() {
            let (_, detail) = d
                .app
                .get(&format!("/api/v1/marking/{code}"), Some(judge))
                .await;
            bodies.push(detail.to_string());
            let file_id = detail["attachments"][0]["id"].as_i64().unwrap();
            let req = Request::get(format!("/api/v1/files/{file_id}"))
                .header(header::AUTHORIZATION, format!("Bearer {judge}"))
                .body(Body::empty())
                .unwrap();
            let res = tower::ServiceExt::oneshot(d.app.router.clone(), req)
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            bodies.push(format!("{:?}", res.headers()));
            let (_, marked) = mark(&d, judge, code, 1, 5.0, 5.0).await;
            bodies.push(marked.to_string());
        }
    }
    let (_, injects) = d.app.get("/api/v1/injects", Some(&d.judge)).await;
    assert!(
        injects
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i.get("audience").is_none()),
        "audiences name teams: {injects}"
    );
    bodies.push(injects.to_string());
    let (_, events) = d.app.get("/api/v1/events", Some(&d.judge)).await;
    assert!(
        !events.to_string().contains("report_graded"),
        "grade events tie teams to marks: {events}"
    );
    assert!(bodies.len() >= 9, "{bodies:?}");
    for body in &bodies {
        for identity in ["alpha", "Zeta Alpha", "Sở A"] {
            assert!(
                !body.contains(identity),
                "a judge-facing response names the team ({identity}): {body}"
            );
        }
    }
    d.finish().await;
}

async fn teams_see_only_their_own(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    let (_, b) = submit(&d, "alpha", "deface", json!({"body": "alpha's secret findings", "attachments": [{"filename": "notes.txt", "content_base64": b64(b"ioc list")}]})).await;
    assert_eq!(b["version"], 1);
    let (_, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "alpha's revised findings"}),
    )
    .await;
    assert_eq!(b["version"], 2, "revisions are new versions");
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_eq!(mine["versions"].as_array().unwrap().len(), 2);
    let file_id = mine["versions"][0]["attachments"][0]["id"]
        .as_i64()
        .unwrap();
    let (_, other) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("bravo")))
        .await;
    assert_eq!(other["versions"], json!([]));
    assert!(!other.to_string().contains("secret"));
    let (s, _) = d
        .app
        .get(&format!("/api/v1/files/{file_id}"), Some(d.team("bravo")))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let req = Request::get(format!("/api/v1/files/{file_id}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", d.team("alpha")))
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(d.app.router.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("notes.txt")
    );
    let (s, _) = d.app.get("/api/v1/reports", Some(d.team("alpha"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = d.app.get("/api/v1/reports", Some(&d.judge)).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "judges are blind: no list with team names"
    );
    let (s, _) = d.app.get("/api/v1/marking", Some(d.team("alpha"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A released grade of another team is never in this team's view.
    let code = code_of(&d, &d.judge, 0).await;
    let (s, b) = mark(&d, &d.judge, &code, 1, 5.0, 5.0).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("revised")),
        "{b}"
    );
    mark(&d, &d.judge, &code, 2, 5.0, 5.0).await;
    mark(&d, &d.judge2, &code, 2, 5.0, 6.0).await;
    d.app
        .post(
            "/api/v1/injects/deface/release-grades",
            Some(&d.organiser),
            json!({}),
        )
        .await;
    let (_, other) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("bravo")))
        .await;
    assert_eq!(other["grade"], Value::Null);
    d.finish().await;
}

/// Payloads from the usual XSS cheat sheets.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](javascript&#58;alert(1))",
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\"><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<object data=\"javascript:alert(1)\">",
    "[x](vbscript:msgbox(1))",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
];

fn assert_safe(html: &str) {
    let tag = regex::Regex::new(r"<\s*/?\s*([a-zA-Z0-9]+)([^>]*)>").unwrap();
    let allowed = [
        "p",
        "em",
        "strong",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "del",
    ];
    let handler = regex::Regex::new(r"\son[a-z]+\s*=").unwrap();
    for cap in tag.captures_iter(html) {
        let name = cap[1].to_lowercase();
        let attrs = cap[2].to_lowercase();
        assert!(allowed.contains(&name.as_str()), "tag <{name}> in {html}");
        assert!(
            !handler.is_match(&attrs),
            "event handler in <{name}{attrs}>"
        );
        for bad in ["javascript:", "vbscript:", "data:"] {
            assert!(!attrs.contains(bad), "{bad} in <{name}{attrs}>");
        }
    }
}

async fn report_html_is_sanitised(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    let body = XSS.join("\n\n");
    let (s, _) = submit(&d, "alpha", "deface", json!({"body": body})).await;
    assert_eq!(s, StatusCode::OK);
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_safe(mine["versions"][0]["body_html"].as_str().unwrap());
    let code = code_of(&d, &d.judge, 0).await;
    let (_, detail) = d
        .app
        .get(&format!("/api/v1/marking/{code}"), Some(&d.judge))
        .await;
    let html = detail["body_html"].as_str().unwrap();
    assert_safe(html);
    assert!(
        html.contains("&lt;script&gt;"),
        "the text survives, escaped: {html}"
    );
    d.finish().await;
}

async fn attachments_are_checked(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    let file = |name: &str, data: &[u8]| json!({"filename": name, "content_base64": b64(data)});
    let (s, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "x", "attachments": [file("tool.exe", b"MZ")]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("attachments[0].filename")
    );
    let (s, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "x", "attachments": [file("page.html", b"<script>")]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{b}");
    let big = vec![b'a'; 3 * 1024 * 1024];
    let (s, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "x", "attachments": [file("dump.txt", &big)]}),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
    let (s, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "x", "attachments": [{"filename": "a.txt", "content_base64": "%%%"}]}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("attachments[0].content_base64")
        ),
        "{b}"
    );
    let four: Vec<Value> = (0..4).map(|i| file(&format!("f{i}.txt"), b"x")).collect();
    let (s, b) = submit(
        &d,
        "alpha",
        "deface",
        json!({"body": "x", "attachments": four}),
    )
    .await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("attachments"))
    );
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": "   "})).await;
    assert_eq!(
        (s, b["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    // Nothing was stored by the refused submissions; a good one with two files of 1.5 MiB goes
    // through the larger body limit of this route.
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_eq!(mine["versions"], json!([]));
    let chunk = vec![7u8; 1536 * 1024];
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": "with evidence", "attachments": [file("a.pcap", &chunk), file("../../etc/b.PNG", &chunk)]})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    let names: Vec<&str> = mine["versions"][0]["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a.pcap", "b.PNG"], "path parts are dropped");
    d.finish().await;
}

async fn organiser_views_export_and_reload(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    submit(&d, "alpha", "deface", json!({"body": "Findings."})).await;
    let (_, injects) = d.app.get("/api/v1/injects", Some(&d.organiser)).await;
    assert_eq!(injects[1]["audience"], json!(["bravo"]));
    let code = code_of(&d, &d.judge, 0).await;
    mark(&d, &d.judge, &code, 1, 5.0, 5.0).await;
    mark(&d, &d.judge2, &code, 1, 6.0, 5.0).await;
    let (_, events) = d
        .app
        .get("/api/v1/events?team=alpha", Some(&d.organiser))
        .await;
    assert_eq!(events[0]["event"]["type"], "report_graded", "{events}");
    let (_, export) = d.app.get("/api/v1/export", Some(&d.organiser)).await;
    let reports = export["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0]["team"], "alpha");
    assert_eq!(
        reports[0]["versions"][0]["marks"].as_array().unwrap().len(),
        2
    );
    // An inject that has reports cannot disappear from a reloaded scenario.
    let without = crate::helpers::SCENARIO.replace("  - id: deface\n", "  - id: deface2\n");
    let req = Request::builder()
        .method(Method::PUT)
        .uri("/api/v1/scenario")
        .header(header::AUTHORIZATION, format!("Bearer {}", d.organiser))
        .header(header::CONTENT_TYPE, "application/yaml")
        .body(Body::from(without))
        .unwrap();
    let (s, b) = d.app.send(req).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("inject_in_use")),
        "{b}"
    );
    d.finish().await;
}

async fn drafts_and_guidance_are_rendered_as_submitted_reports_are(backend: Backend) {
    let d = Drill::started(backend).await;
    let body = format!(
        "## Tóm tắt\n\n**Đã** cô lập máy chủ.\n\n{}",
        XSS.join("\n\n")
    );
    let (s, b) = d
        .app
        .post(
            "/api/v1/markdown",
            Some(d.team("alpha")),
            json!({"text": body}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let html = b["html"].as_str().unwrap();
    assert!(html.starts_with("<h2>Tóm tắt</h2>"), "{html}");
    assert!(html.contains("<strong>Đã</strong>"), "{html}");
    assert_safe(html);
    // The same rendering as the submitted report's.
    d.app.set_time(T0 + 20 * MIN);
    submit(&d, "alpha", "deface", json!({"body": body})).await;
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert_eq!(mine["versions"][0]["body_html"].as_str().unwrap(), html);
    // Judges too; nobody signed out; no more than a report may hold; no unknown fields.
    let (s, _) = d
        .app
        .post("/api/v1/markdown", Some(&d.judge), json!({"text": "x"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = d
        .app
        .post("/api/v1/markdown", None, json!({"text": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = d
        .app
        .post(
            "/api/v1/markdown",
            Some(d.team("alpha")),
            json!({"text": "x".repeat(100_001)}),
        )
        .await;
    assert_eq!(
        (s, b["error"]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("text"))
    );
    let (s, _) = d
        .app
        .post(
            "/api/v1/markdown",
            Some(d.team("alpha")),
            json!({"text": "x", "extra": 1}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Rubric guidance comes formatted to judges, in the marking detail and the inject list.
    let code = code_of(&d, &d.judge, 0).await;
    let (_, detail) = d
        .app
        .get(&format!("/api/v1/marking/{code}"), Some(&d.judge))
        .await;
    let c = &detail["rubric"][0];
    assert!(
        c["guidance_html"]["en"]
            .as_str()
            .unwrap()
            .starts_with("<p>"),
        "{c}"
    );
    let (_, list) = d.app.get("/api/v1/injects", Some(&d.judge)).await;
    let listed = list
        .as_array()
        .or_else(|| list["injects"].as_array())
        .unwrap()
        .iter()
        .find(|i| i["id"] == "deface")
        .unwrap()
        .clone();
    assert!(
        listed["report"]["rubric"][0]["guidance_html"]["vi"].is_string(),
        "{listed}"
    );
    d.finish().await;
}

async fn a_report_naming_its_team_is_shown_to_judges_with_the_names_hidden(backend: Backend) {
    let d = Drill::started(backend).await;
    d.app.set_time(T0 + 20 * MIN);
    let body = "# Báo cáo của ZETA ALPHA\n\nĐơn vị: Sở A. Mã đội: alpha. Alphabet và Zeta Alphas không phải tên đội.";
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": body})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // The team knows who it is (the page warns before sending).
    let (_, me) = d.app.get("/api/v1/me", Some(d.team("alpha"))).await;
    assert_eq!(me["team"]["organisation"], "Sở A");
    let code = code_of(&d, &d.judge, 0).await;
    let (_, detail) = d
        .app
        .get(&format!("/api/v1/marking/{code}"), Some(&d.judge))
        .await;
    let html = detail["body_html"].as_str().unwrap();
    assert_eq!(detail["redacted"], 3, "{html}");
    for name in ["ZETA ALPHA", "Sở A", "alpha."] {
        assert!(!html.contains(name), "{name} in {html}");
    }
    assert!(html.contains("[đội · team]"), "{html}");
    assert!(
        html.contains("Alphabet và Zeta Alphas"),
        "only whole words are hidden: {html}"
    );
    // Organisers and the team itself see the report as written.
    let (_, mine) = d
        .app
        .get("/api/v1/injects/deface/report", Some(d.team("alpha")))
        .await;
    assert!(
        mine["versions"][0]["body_html"]
            .as_str()
            .unwrap()
            .contains("ZETA ALPHA")
    );
    d.finish().await;
}

async fn an_inject_released_early_counts_its_deadline_from_then(backend: Backend) {
    let d = Drill::started(backend).await;
    let org = Some(d.organiser.as_str());
    // `deface` is scheduled 10 min after the start; the organiser releases it at 2 min.
    d.app.set_time(T0 + 2 * MIN);
    let (_, before) = d.app.get("/api/v1/injects", Some(d.team("alpha"))).await;
    assert!(!before.to_string().contains("deface"), "{before}");
    let (s, b) = d
        .app
        .post("/api/v1/injects/deface/release", org, json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (_, list) = d.app.get("/api/v1/injects", Some(d.team("alpha"))).await;
    let items = list
        .as_array()
        .or_else(|| list["injects"].as_array())
        .unwrap()
        .clone();
    let deface = items
        .iter()
        .find(|i| i["id"] == "deface")
        .expect("released now")
        .clone();
    let ms = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    assert_eq!(ms(&deface["released_at"]), T0 + 2 * MIN);
    assert_eq!(
        ms(&deface["report"]["due_at"]),
        T0 + 47 * MIN,
        "45 min from the release"
    );
    // Lateness counts from the new deadline: 53 min after the start is 6 min past it, one
    // minute past the 5 min grace (on the old schedule it would be on time).
    d.app.set_time(T0 + 53 * MIN);
    let (s, b) = submit(&d, "alpha", "deface", json!({"body": "Initial report."})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        (b["minutes_late"].as_i64(), b["late_factor"].as_f64()),
        (Some(1), Some(0.98)),
        "{b}"
    );
    // Twice, or an inject already out, or before the start: refused with a reason.
    let (s, b) = d
        .app
        .post("/api/v1/injects/deface/release", org, json!({}))
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("already_released")),
        "{b}"
    );
    let (s, _) = d
        .app
        .post("/api/v1/injects/nope/release", org, json!({}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = d
        .app
        .post(
            "/api/v1/injects/phish/release",
            Some(d.team("alpha")),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A restart keeps it.
    d.app.state.reload().await.unwrap();
    let (_, list) = d.app.get("/api/v1/injects", Some(d.team("alpha"))).await;
    let items = list
        .as_array()
        .or_else(|| list["injects"].as_array())
        .unwrap()
        .clone();
    let deface = items.iter().find(|i| i["id"] == "deface").unwrap();
    assert_eq!(ms(&deface["report"]["due_at"]), T0 + 47 * MIN);
    d.finish().await;
}
