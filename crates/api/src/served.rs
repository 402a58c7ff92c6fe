//! Hot reads are served, not computed: a board is serialised once per change of the standings
//! and kept as shared bytes with a gzip copy and an ETag, so 64 people refreshing the board cost
//! a pointer copy each (and nothing at all when their copy is current: 304).

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Bodies shorter than this are not worth compressing.
const GZIP_FROM: usize = 256;

/// One serialised answer: the JSON, its gzip copy, and its entity tag.
#[derive(Debug)]
pub struct Served {
    /// A strong ETag: the first 16 bytes of the SHA-256 of the JSON, quoted.
    pub etag: String,
    /// The JSON body.
    pub json: Bytes,
    /// The same, gzipped (None for small bodies).
    pub gzip: Option<Bytes>,
    /// Its media type.
    pub content_type: &'static str,
}

impl Served {
    /// Serialise `value` once.
    pub fn new(value: &Value) -> Served {
        Served::of_bytes(
            serde_json::to_vec(value).unwrap_or_default(),
            "application/json",
            flate2::Compression::fast(),
        )
    }

    /// Any body of type `content_type`, compressed at `level` (the web pages, made once, use
    /// the best).
    pub fn of_bytes(
        body: Vec<u8>,
        content_type: &'static str,
        level: flate2::Compression,
    ) -> Served {
        let json = Bytes::from(body);
        let digest = Sha256::digest(&json);
        let etag = format!(
            "\"{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let gzip = (json.len() >= GZIP_FROM)
            .then(|| {
                let mut z = flate2::write::GzEncoder::new(Vec::new(), level);
                z.write_all(&json).ok()?;
                z.finish().ok().map(Bytes::from)
            })
            .flatten();
        Served {
            etag,
            json,
            gzip,
            content_type,
        }
    }

    /// The answer to a request with `headers`: 304 when the client's copy is this one, else the
    /// body, gzipped when the client accepts it.
    pub fn respond(&self, headers: &HeaderMap) -> Response {
        let etag = HeaderValue::from_str(&self.etag).unwrap_or(HeaderValue::from_static("\"\""));
        let matches = headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == self.etag
            });
        let mut response = if matches {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(headers));
            let mut r = match gzip {
                Some(z) => {
                    let mut r = z.clone().into_response();
                    r.headers_mut()
                        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                    r
                }
                None => self.json.clone().into_response(),
            };
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(self.content_type),
            );
            r
        };
        let h = response.headers_mut();
        h.insert(header::ETAG, etag);
        h.insert(
            header::VARY,
            HeaderValue::from_static("Accept-Encoding, Authorization"),
        );
        // Revalidate every time: a stale board is worse than one round trip.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        response
    }
}

impl PartialEq for Served {
    fn eq(&self, other: &Self) -> bool {
        self.etag == other.etag && self.json == other.json
    }
}

/// Whether the request's `Accept-Encoding` allows gzip (and does not refuse it with `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (name.eq_ignore_ascii_case("gzip") || name == "*") && q > 0.0
        })
}

/// Served answers by key (which board: live or frozen, who may see what, which team's
/// breakdown), emptied whenever the standings change.
///
/// Builds are single-flight: after a change, the first reader builds and the others wait for
/// it instead of each building the same board (64 readers after every solve would otherwise
/// make 64 boards a solve). A reader is given the latest answer built for its key *since it
/// arrived* — so it always includes every change made before its request — and builds only if
/// there is none.
#[derive(Default)]
pub struct ServedCache {
    /// Answers valid for the current generation.
    map: Mutex<HashMap<String, Arc<Served>>>,
    /// The latest answer built per key, and the generation it was built in (kept across
    /// changes, for the readers that were waiting while it was built).
    latest: Mutex<HashMap<String, (u64, Arc<Served>)>>,
    /// How many times the cache was emptied: an answer computed across a change (the history,
    /// built a sample at a time) is kept only if no change came in between.
    generation: u64,
    /// Held while an answer is built.
    build: Arc<tokio::sync::Mutex<()>>,
}

/// Keys kept at most before the cache starts over: the boards of each view plus one breakdown
/// per team of a national drill, with room to spare.
const MAX_KEYS: usize = 4096;

impl ServedCache {
    /// The answer kept for `key`, if any.
    pub fn get(&self, key: &str) -> Option<Arc<Served>> {
        self.map
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
    }

    /// The answer for `key`, or (none yet) the generation a reader arrives in, for
    /// [`ServedCache::built_since`].
    pub fn lookup(&self, key: &str) -> Result<Arc<Served>, u64> {
        self.get(key).ok_or(self.generation)
    }

    /// The lock to hold while building an answer.
    pub fn build_lock(&self) -> Arc<tokio::sync::Mutex<()>> {
        self.build.clone()
    }

    /// The latest answer for `key` built in generation `arrival` or later (by the reader that
    /// held the build lock while this one waited).
    pub fn built_since(&self, key: &str, arrival: u64) -> Option<Arc<Served>> {
        let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        latest
            .get(key)
            .filter(|(g, _)| *g >= arrival)
            .map(|(_, s)| s.clone())
    }

    /// The generation to pass to [`ServedCache::keep`] for an answer computed from now on.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Keep `served` for `key` if it was computed in `generation` (nothing changed since), and
    /// return the answer to give: the one kept first when two requests built it.
    pub fn keep(&self, generation: u64, key: String, served: Arc<Served>) -> Arc<Served> {
        if generation != self.generation {
            return served;
        }
        {
            let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            if latest.len() >= MAX_KEYS {
                latest.clear();
            }
            latest.insert(key.clone(), (generation, served.clone()));
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.clear();
        }
        map.entry(key).or_insert(served).clone()
    }

    /// Forget every answer (the standings changed).
    pub fn clear(&mut self) {
        self.generation += 1;
        self.map
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn etags_gzip_and_304() {
        let big = serde_json::json!({"rows": vec!["Đội ƯCSC Hà Nội"; 200]});
        let s = Served::new(&big);
        assert_eq!(s, Served::new(&big), "the same content has the same tag");
        let r = s.respond(&headers(&[]));
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        let r = s.respond(&headers(&[("accept-encoding", "br, gzip;q=0.8")]));
        assert_eq!(r.headers()[header::CONTENT_ENCODING], "gzip");
        let r = s.respond(&headers(&[("accept-encoding", "gzip;q=0")]));
        assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&s.gzip.as_ref().unwrap()[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, s.json);
        let r = s.respond(&headers(&[("if-none-match", &s.etag)]));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let r = s.respond(&headers(&[(
            "if-none-match",
            "\"other\", W/".to_owned().as_str(),
        )]));
        assert_eq!(r.status(), StatusCode::OK);
        let other = Served::new(&serde_json::json!({"rows": []}));
        assert_ne!(other.etag, s.etag);
        assert!(other.gzip.is_none(), "small bodies are not compressed");
    }
}
