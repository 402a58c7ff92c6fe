//! What this process has done, for Prometheus (`GET /metrics`, the text exposition format):
//! flag submissions by protocol and result, checker verdicts and durations by service, late
//! checker jobs, round lag, and HTTP requests and their latency by route. Counters live in memory
//! and start at zero with the process (Prometheus handles the reset); gauges (stream clients, the
//! database pools, the live state) are read when scraped.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds (HTTP requests and checker jobs).
const BUCKETS: [f64; 14] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

#[derive(Default, Clone)]
struct Histogram {
    /// Observations at most each bucket's bound (cumulative, as Prometheus wants).
    le: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (n, bound) in self.le.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

#[derive(Default)]
struct Counters {
    submissions: BTreeMap<(&'static str, &'static str), u64>,
    verdicts: BTreeMap<(String, &'static str), u64>,
    checker_seconds: BTreeMap<String, Histogram>,
    late_jobs: BTreeMap<String, u64>,
    rounds: u64,
    round_lag_seconds: f64,
    requests: BTreeMap<(String, String, u16), u64>,
    request_seconds: BTreeMap<String, Histogram>,
}

/// The counters of this process.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

/// A value read when scraped: name, help, value.
pub type Gauge = (&'static str, &'static str, f64);

impl Metrics {
    fn with<R>(&self, f: impl FnOnce(&mut Counters) -> R) -> R {
        f(&mut self.counters.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Flags judged through `protocol` (`http`, `tcp`, `jeopardy`), one per result name.
    pub fn submissions(
        &self,
        protocol: &'static str,
        results: impl IntoIterator<Item = &'static str>,
    ) {
        self.with(|c| {
            for r in results {
                *c.submissions.entry((protocol, r)).or_default() += 1;
            }
        });
    }

    /// One checker job's verdict; `took` is `None` for a job that did not finish in its round.
    pub fn verdict(&self, service: &str, state: &'static str, took: Option<Duration>) {
        self.with(|c| {
            *c.verdicts.entry((service.to_owned(), state)).or_default() += 1;
            match took {
                Some(d) => c
                    .checker_seconds
                    .entry(service.to_owned())
                    .or_default()
                    .observe(d.as_secs_f64()),
                None => *c.late_jobs.entry(service.to_owned()).or_default() += 1,
            }
        });
    }

    /// A round started `lag` after it was due.
    pub fn round_started(&self, lag: Duration) {
        self.with(|c| {
            c.rounds += 1;
            c.round_lag_seconds = lag.as_secs_f64();
        });
    }

    /// One HTTP request: its route pattern (`unmatched` when no route took it, so hostile
    /// paths cannot grow the label set), method, status and time taken.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.with(|c| {
            *c.requests
                .entry((route.to_owned(), method.to_owned(), status))
                .or_default() += 1;
            c.request_seconds
                .entry(route.to_owned())
                .or_default()
                .observe(took.as_secs_f64());
        });
    }

    /// Everything, in the Prometheus text format, with `gauges` read by the caller.
    pub fn render(&self, gauges: &[Gauge]) -> String {
        let mut out = String::with_capacity(16 * 1024);
        for (name, help, value) in gauges {
            head(&mut out, name, help, "gauge");
            let _ = writeln!(out, "{name} {}", number(*value));
        }
        self.with(|c| {
            let name = "drillboard_flag_submissions_total";
            head(
                &mut out,
                name,
                "Flags judged, by protocol and result.",
                "counter",
            );
            for ((protocol, result), n) in &c.submissions {
                let _ = writeln!(
                    out,
                    "{name}{{protocol=\"{protocol}\",result=\"{result}\"}} {n}"
                );
            }
            let name = "drillboard_checker_verdicts_total";
            head(
                &mut out,
                name,
                "Checker job verdicts, by service and state.",
                "counter",
            );
            for ((service, state), n) in &c.verdicts {
                let _ = writeln!(
                    out,
                    "{name}{{service=\"{}\",state=\"{state}\"}} {n}",
                    esc(service)
                );
            }
            let name = "drillboard_checker_late_jobs_total";
            head(
                &mut out,
                name,
                "Checker jobs that did not finish within their round.",
                "counter",
            );
            for (service, n) in &c.late_jobs {
                let _ = writeln!(out, "{name}{{service=\"{}\"}} {n}", esc(service));
            }
            let name = "drillboard_checker_job_seconds";
            head(
                &mut out,
                name,
                "Time a checker job took (all its steps), by service.",
                "histogram",
            );
            for (service, h) in &c.checker_seconds {
                histogram(&mut out, name, &format!("service=\"{}\"", esc(service)), h);
            }
            let name = "drillboard_rounds_started_total";
            head(
                &mut out,
                name,
                "Attack/defend rounds this process started.",
                "counter",
            );
            let _ = writeln!(out, "{name} {}", c.rounds);
            let name = "drillboard_round_lag_seconds";
            head(
                &mut out,
                name,
                "How late the last round started after it was due.",
                "gauge",
            );
            let _ = writeln!(out, "{name} {}", number(c.round_lag_seconds));
            let name = "drillboard_http_requests_total";
            head(
                &mut out,
                name,
                "HTTP requests, by route, method and status.",
                "counter",
            );
            for ((route, method, status), n) in &c.requests {
                let _ = writeln!(
                    out,
                    "{name}{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    esc(route),
                    esc(method)
                );
            }
            let name = "drillboard_http_request_seconds";
            head(
                &mut out,
                name,
                "HTTP request latency, by route.",
                "histogram",
            );
            for (route, h) in &c.request_seconds {
                histogram(&mut out, name, &format!("route=\"{}\"", esc(route)), h);
            }
        });
        out
    }
}

fn head(out: &mut String, name: &str, help: &str, kind: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, labels: &str, h: &Histogram) {
    for (bound, n) in BUCKETS.iter().zip(h.le) {
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{bound}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", h.count);
    let _ = writeln!(out, "{name}_sum{{{labels}}} {}", number(h.sum));
    let _ = writeln!(out, "{name}_count{{{labels}}} {}", h.count);
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        "NaN".into()
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn esc(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_the_text_format() {
        let m = Metrics::default();
        m.submissions("http", ["accepted", "duplicate", "accepted"]);
        m.verdict("notes", "ok", Some(Duration::from_millis(300)));
        m.verdict("notes", "down", None);
        m.request("/api/v1/scoreboard", "GET", 200, Duration::from_millis(2));
        let text = m.render(&[("drillboard_stream_clients", "Open event streams.", 3.0)]);
        for line in [
            "# TYPE drillboard_stream_clients gauge",
            "drillboard_stream_clients 3",
            "drillboard_flag_submissions_total{protocol=\"http\",result=\"accepted\"} 2",
            "drillboard_flag_submissions_total{protocol=\"http\",result=\"duplicate\"} 1",
            "drillboard_checker_verdicts_total{service=\"notes\",state=\"down\"} 1",
            "drillboard_checker_late_jobs_total{service=\"notes\"} 1",
            "drillboard_checker_job_seconds_bucket{service=\"notes\",le=\"0.25\"} 0",
            "drillboard_checker_job_seconds_bucket{service=\"notes\",le=\"0.5\"} 1",
            "drillboard_checker_job_seconds_bucket{service=\"notes\",le=\"+Inf\"} 1",
            "drillboard_checker_job_seconds_count{service=\"notes\"} 1",
            "drillboard_http_requests_total{route=\"/api/v1/scoreboard\",method=\"GET\",status=\"200\"} 1",
            "drillboard_http_request_seconds_bucket{route=\"/api/v1/scoreboard\",le=\"0.001\"} 0",
            "drillboard_http_request_seconds_bucket{route=\"/api/v1/scoreboard\",le=\"0.005\"} 1",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "no line {line:?} in\n{text}"
            );
        }
        assert_eq!(esc("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
