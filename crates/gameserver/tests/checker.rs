//! The checker runner against fake checkers: every exit code, hangs, crashes, floods, garbage.

use std::path::{Path, PathBuf};
use std::time::Duration;

use drillboard_gameserver::checker::{Action, PUBLIC_CHARS, Runner, Verdict};

fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// Scripts run through `/bin/sh` rather than being executed themselves: executing a file just
/// written races with other test threads' forks (which briefly hold its write descriptor) and
/// fails now and then with "text file busy".
fn runner(path: &Path, timeout_ms: u64) -> Runner {
    Runner {
        command: vec!["/bin/sh".into(), path.display().to_string()],
        http: None,
        timeout: Duration::from_millis(timeout_ms),
        output_limit: 1024,
    }
}

fn put() -> Action {
    Action::Put {
        flag_id: "id-1".into(),
        flag: "DRILL_AAAA=".into(),
        vuln: 2,
    }
}

#[tokio::test]
async fn exit_codes_map_to_verdicts() {
    let dir = tempfile::tempdir().unwrap();
    for (code, verdict) in [
        (101, Verdict::Ok),
        (102, Verdict::Corrupt),
        (103, Verdict::Mumble),
        (104, Verdict::Down),
        (110, Verdict::CheckerError),
        (0, Verdict::CheckerError),
        (1, Verdict::CheckerError),
        (105, Verdict::CheckerError),
        (255, Verdict::CheckerError),
    ] {
        let s = script(
            dir.path(),
            &format!("c{code}"),
            &format!("echo public {code}; echo private {code} >&2; exit {code}"),
        );
        let out = runner(&s, 5_000).run("10.60.1.2", &Action::Check).await;
        assert_eq!(out.verdict, verdict, "exit {code}");
        // 101..104 and 110 are answers; anything else is the checker failing.
        assert_eq!(
            out.failure.is_none(),
            matches!(code, 101..=104 | 110),
            "exit {code}: {:?}",
            out.failure
        );
        assert_eq!(out.public.trim(), format!("public {code}"));
        assert!(
            out.private.starts_with(&format!("private {code}")),
            "{}",
            out.private
        );
        assert!(!out.timed_out);
    }
}

#[tokio::test]
async fn arguments_follow_the_hackerdom_convention() {
    let dir = tempfile::tempdir().unwrap();
    let s = script(dir.path(), "args", "echo \"$@\" >&2; exit 101");
    let r = runner(&s, 5_000);
    assert_eq!(
        r.run("host1", &Action::Check).await.private.trim(),
        "check host1"
    );
    assert_eq!(
        r.run("host1", &put()).await.private.trim(),
        "put host1 id-1 DRILL_AAAA= 2"
    );
    let get = Action::Get {
        flag_id: "id-9".into(),
        flag: "F=".into(),
        vuln: 1,
    };
    assert_eq!(
        r.run("host1", &get).await.private.trim(),
        "get host1 id-9 F= 1"
    );
}

#[tokio::test]
async fn a_put_may_replace_the_flag_id() {
    let dir = tempfile::tempdir().unwrap();
    let ok = script(
        dir.path(),
        "put-ok",
        "echo '  user:alice secret-id  '; echo more; exit 101",
    );
    let out = runner(&ok, 5_000).run("h", &put()).await;
    assert_eq!(out.flag_id.as_deref(), Some("user:alice secret-id"));
    let quiet = script(dir.path(), "put-quiet", "exit 101");
    assert_eq!(runner(&quiet, 5_000).run("h", &put()).await.flag_id, None);
    let failed = script(dir.path(), "put-fail", "echo not-an-id; exit 103");
    assert_eq!(
        runner(&failed, 5_000).run("h", &put()).await.flag_id,
        None,
        "only an OK put sets the id"
    );
    assert_eq!(
        runner(&ok, 5_000).run("h", &Action::Check).await.flag_id,
        None
    );
}

#[tokio::test]
async fn a_hanging_checker_is_down_and_killed() {
    let dir = tempfile::tempdir().unwrap();
    let s = script(dir.path(), "hang", "echo started; exec sleep 30");
    let started = std::time::Instant::now();
    let out = runner(&s, 300).run("h", &Action::Check).await;
    assert_eq!(out.verdict, Verdict::Down);
    assert!(out.timed_out);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the runner does not wait for the checker"
    );
}

#[tokio::test]
async fn crashes_and_missing_programs_are_checker_failures() {
    let dir = tempfile::tempdir().unwrap();
    let crash = script(dir.path(), "crash", "kill -9 $$");
    let out = runner(&crash, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.verdict, Verdict::CheckerError);
    let failure = out.failure.clone().unwrap();
    assert_eq!(failure.text, "killed by signal 9");
    assert_eq!(failure.code, "checker_signal");
    assert_eq!(failure.params["signal"], "9");
    assert!(
        out.private
            .contains("the checker failed: killed by signal 9"),
        "{}",
        out.private
    );
    // A Python traceback: exit 1, not a verdict.
    let traceback = script(
        dir.path(),
        "tb",
        "echo 'Traceback (most recent call last):' >&2; echo 'ConnectionRefusedError: [Errno 111]' >&2; exit 1",
    );
    let out = runner(&traceback, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.verdict, Verdict::CheckerError);
    let failure = out.failure.clone().unwrap();
    assert_eq!(failure.text, "exit code 1, which is not a checker verdict");
    assert_eq!(
        (failure.code, failure.params["code"].as_str()),
        ("checker_exit_code", "1")
    );
    assert!(out.private.contains("ConnectionRefusedError"));
    let missing = Runner {
        command: vec![dir.path().join("nope").display().to_string()],
        http: None,
        timeout: Duration::from_secs(5),
        output_limit: 1024,
    }
    .run("h", &Action::Check)
    .await;
    assert_eq!(missing.verdict, Verdict::CheckerError);
    assert!(missing.private.contains("cannot start"));
    assert!(
        missing
            .failure
            .as_ref()
            .unwrap()
            .text
            .contains("cannot start")
    );
    assert_eq!(
        missing.failure.as_ref().unwrap().code,
        "checker_cannot_start"
    );
    let empty = Runner {
        command: vec![],
        http: None,
        timeout: Duration::from_secs(1),
        output_limit: 10,
    }
    .run("h", &Action::Check)
    .await;
    assert_eq!(empty.verdict, Verdict::CheckerError);
    assert!(empty.failure.is_some());
}

#[tokio::test]
async fn megabytes_and_garbage_are_truncated_and_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let flood = script(
        dir.path(),
        "flood",
        "head -c 8000000 /dev/zero | tr '\\0' 'x'; head -c 3000000 /dev/zero >&2; exit 101",
    );
    let out = runner(&flood, 20_000).run("h", &Action::Check).await;
    assert_eq!(
        out.verdict,
        Verdict::Ok,
        "a checker that prints megabytes is not blocked on a full pipe"
    );
    assert!(
        out.public.chars().count() <= PUBLIC_CHARS + 1,
        "{}",
        out.public
    );
    assert!(out.public.ends_with('…'));
    // The rest is the organisers', still capped: stdout and stderr at the output limit each.
    assert!(out.private.len() <= 2 * (1024 + " [truncated]".len()) + 20);
    assert!(out.private.contains("[truncated]"));
    let garbage = script(
        dir.path(),
        "garbage",
        "printf 'ok\\377\\376\\033[31mred\\000end'; exit 102",
    );
    let out = runner(&garbage, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.verdict, Verdict::Corrupt);
    assert!(
        !out.public.contains('\u{1b}') && !out.public.contains('\0'),
        "{:?}",
        out.public
    );
    assert!(
        out.public.starts_with("ok") && out.public.ends_with("end"),
        "{:?}",
        out.public
    );
}

/// A `get` that prints a whole HTML page (a real checker did, on a stopped service): the grid
/// shows its first line, cut short; the page goes to the organisers.
#[tokio::test]
async fn a_page_on_stdout_stays_private_but_its_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let page = script(
        dir.path(),
        "page",
        "echo 'Bad response: status 502'; for i in $(seq 1 20); do echo \"<div>line $i of the page</div>\"; done; echo 'trace' >&2; exit 103",
    );
    let out = runner(&page, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.verdict, Verdict::Mumble);
    assert_eq!(out.public, "Bad response: status 502…");
    assert!(
        out.private.contains("line 20 of the page"),
        "{}",
        out.private
    );
    assert!(out.private.contains("trace"), "{}", out.private);
    let long = script(
        dir.path(),
        "long",
        &format!("echo '{}'; exit 101", "é".repeat(400)),
    );
    let out = runner(&long, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.public.chars().count(), PUBLIC_CHARS + 1);
    // One line that fits is shown whole, and nothing is copied to the private part.
    let short = script(dir.path(), "short", "echo '  all good  '; exit 101");
    let out = runner(&short, 5_000).run("h", &Action::Check).await;
    assert_eq!(out.public, "all good");
    assert!(!out.private.contains("[stdout]"));
}

/// A fake ENOWARS checker: answers every request with `reply` (raw HTTP), after `delay`, and
/// sends each request's body to the test.
async fn fake_checker(
    reply: &'static str,
    delay: Duration,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = l.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut req = Vec::new();
                let mut buf = [0u8; 4096];
                // Headers, then as much body as Content-Length says.
                loop {
                    let n = s.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    req.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&req).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| l.strip_prefix("Content-Length: "))
                            .map_or(0, |v| v.trim().parse::<usize>().unwrap());
                        if body.len() >= len {
                            let _ = tx.send(text.clone());
                            break;
                        }
                    }
                }
                tokio::time::sleep(delay).await;
                let _ = s.write_all(reply.as_bytes()).await;
            });
        }
    });
    (url, rx)
}

fn eno(url: &str, timeout_ms: u64) -> Runner {
    Runner {
        command: vec![],
        http: Some(url.into()),
        timeout: Duration::from_millis(timeout_ms),
        output_limit: 1024,
    }
}

fn get() -> Action {
    Action::Get {
        flag_id: "id-1".into(),
        flag: "DRILL_AAAA=".into(),
        vuln: 2,
    }
}

#[tokio::test]
async fn enowars_results_map_to_verdicts() {
    use drillboard_gameserver::checker::Task;
    let json = r#"{"result": "OK", "message": null, "attackInfo": "user-1234"}"#;
    let ok: &'static str = Box::leak(
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
            json.len()
        )
        .into_boxed_str(),
    );
    let (url, mut seen) = fake_checker(ok, Duration::ZERO).await;
    let task = Task {
        round: 7,
        related_round: 5,
        team_id: 3,
        team_name: "Huế".into(),
        service: 1,
        round_ms: 60_000,
    };
    let out = eno(&url, 5_000).run_task("10.60.3.2", &put(), &task).await;
    assert_eq!(out.verdict, Verdict::Ok, "{out:?}");
    assert_eq!(out.attack_info.as_deref(), Some("user-1234"));
    let sent = seen.recv().await.unwrap();
    assert!(sent.starts_with("POST / HTTP/1.1\r\n"), "{sent}");
    let body: serde_json::Value =
        serde_json::from_str(sent.split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(body["method"], "putflag");
    assert_eq!(body["address"], "10.60.3.2");
    assert_eq!(body["variantId"], 1, "place 2 is variant 1");
    assert_eq!(body["flag"], "DRILL_AAAA=");
    assert_eq!(body["currentRoundId"], 7);
    assert_eq!(body["relatedRoundId"], 7, "a put relates to the round now");
    assert_eq!(body["taskChainId"], "flag_s1_r7_t3_i1");
    assert_eq!(
        (body["teamId"].clone(), body["teamName"].clone()),
        (3.into(), "Huế".into())
    );
    assert_eq!(
        (body["timeout"].clone(), body["roundLength"].clone()),
        (5000.into(), 60_000.into())
    );
    let out = eno(&url, 5_000).run_task("10.60.3.2", &get(), &task).await;
    assert_eq!(out.attack_info, None, "only a put publishes attack info");
    let body: serde_json::Value =
        serde_json::from_str(seen.recv().await.unwrap().split_once("\r\n\r\n").unwrap().1).unwrap();
    assert_eq!(
        (
            body["method"].clone(),
            body["relatedRoundId"].clone(),
            body["taskChainId"].clone()
        ),
        ("getflag".into(), 5.into(), "flag_s1_r5_t3_i1".into()),
        "a get names the put's round and chain"
    );
    for (reply, action, verdict, public) in [
        (
            "{\"result\":\"MUMBLE\",\"message\":\"flag not found\"}",
            get(),
            Verdict::Corrupt,
            "flag not found",
        ),
        (
            "{\"result\":\"MUMBLE\",\"message\":\"bad page\"}",
            Action::Havoc { variant: 0 },
            Verdict::Mumble,
            "bad page",
        ),
        (
            "{\"result\":\"OFFLINE\",\"message\":\"down\"}",
            Action::PutNoise { variant: 0 },
            Verdict::Down,
            "down",
        ),
        (
            "{\"result\":\"INTERNAL_ERROR\",\"message\":\"KeyError: secret\"}",
            Action::GetNoise { variant: 0 },
            Verdict::CheckerError,
            "",
        ),
    ] {
        let raw: &'static str = Box::leak(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{reply}",
                reply.len()
            )
            .into_boxed_str(),
        );
        let (url, _seen) = fake_checker(raw, Duration::ZERO).await;
        let out = eno(&url, 5_000).run_task("h", &action, &task).await;
        assert_eq!(
            (out.verdict, out.public.as_str()),
            (verdict, public),
            "{reply}"
        );
        assert_eq!(out.failure, None, "{reply}: an answer, not a failure");
        if verdict == Verdict::CheckerError {
            assert!(
                out.private.contains("KeyError"),
                "internal errors stay private"
            );
        }
    }
    // Failures: a bad status, an unreadable answer, an unknown result, nobody listening.
    for raw in [
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\nboom!",
        "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n<html>hi!",
        "HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{\"result\":\"FINE\"}",
    ] {
        let (url, _seen) = fake_checker(raw, Duration::ZERO).await;
        let out = eno(&url, 5_000)
            .run_task("h", &Action::Havoc { variant: 0 }, &task)
            .await;
        assert_eq!(out.verdict, Verdict::CheckerError, "{raw}");
        assert!(out.failure.is_some(), "{raw}");
    }
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let out = eno(&format!("http://{closed}"), 5_000)
        .run_task("h", &put(), &task)
        .await;
    assert!(
        out.failure
            .as_ref()
            .unwrap()
            .text
            .contains("cannot reach the checker"),
        "{out:?}"
    );
    // A checker host that is off or filtered (no answer to the connection) is a failure too,
    // never the team's DOWN.
    let out = eno("http://10.255.255.1:9", 10_000)
        .run_task("h", &put(), &task)
        .await;
    assert_eq!(out.verdict, Verdict::CheckerError, "{out:?}");
    assert!(out.failure.is_some(), "{out:?}");
    // No answer in time is OFFLINE, as the protocol says.
    let (url, _seen) = fake_checker(ok, Duration::from_secs(10)).await;
    let out = eno(&url, 300).run_task("h", &put(), &task).await;
    assert_eq!(
        (out.verdict, out.timed_out, out.failure),
        (Verdict::Down, true, None)
    );
    // The command line has no noise.
    let out = runner(Path::new("/bin/true"), 1_000)
        .run("h", &Action::PutNoise { variant: 0 })
        .await;
    assert!(out.failure.is_some());
}
