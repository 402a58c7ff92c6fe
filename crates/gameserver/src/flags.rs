//! Self-verifying flags: round, owner team, service and flag place are inside the flag, with an
//! HMAC, so "invalid", "too old" and "your own" are decided without reading the database.
//!
//! A flag is `PREFIX` + `BODY` base32 characters + `SUFFIX` (by default 32 characters and `=`).
//! The body's 5 × `BODY` bits are `round (u32) | team (u16) | service (u8) | place (u8)` (64
//! bits) followed by the first 5 × `BODY` − 64 bits of HMAC-SHA256(key, those 8 bytes): 96 bits
//! of signature at the default length, 41 at the shortest ([`MIN_BODY`]).

use sha2::{Digest, Sha256};

/// What a flag says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagInfo {
    /// The round it was planted in.
    pub round: u32,
    /// Index of the team whose service holds it.
    pub team: u16,
    /// Index of the service.
    pub service: u8,
    /// Flag place (vuln) within the service, from 1.
    pub place: u8,
}

/// Why a flag is refused before any database read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlagError {
    /// Not a flag of this game (format or signature wrong).
    #[error("invalid flag")]
    Invalid,
    /// Valid, but older than its lifetime.
    #[error("flag is too old")]
    TooOld,
}

/// The default body length: 160 bits, 96 of them signature.
pub const DEFAULT_BODY: usize = 32;
/// The shortest body: 105 bits, 41 of them signature.
pub const MIN_BODY: usize = 21;
/// The longest body: the whole 256-bit signature.
pub const MAX_BODY: usize = 64;
const PAYLOAD_BITS: usize = 64;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Signs and checks flags with one secret key.
#[derive(Clone)]
pub struct FlagKey {
    key: Vec<u8>,
    prefix: String,
    body: usize,
    suffix: String,
}

impl std::fmt::Debug for FlagKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagKey")
            .field("prefix", &self.prefix)
            .field("body", &self.body)
            .field("suffix", &self.suffix)
            .finish_non_exhaustive()
    }
}

impl FlagKey {
    /// A key and the flag prefix (e.g. `DRILL_`), with the default body and suffix.
    pub fn new(key: &[u8], prefix: &str) -> Self {
        FlagKey::with_format(key, prefix, DEFAULT_BODY, "=")
    }

    /// A key, prefix, body length (clamped to [`MIN_BODY`]..=[`MAX_BODY`]) and suffix.
    pub fn with_format(key: &[u8], prefix: &str, body: usize, suffix: &str) -> Self {
        FlagKey {
            key: key.to_vec(),
            prefix: prefix.to_owned(),
            body: body.clamp(MIN_BODY, MAX_BODY),
            suffix: suffix.to_owned(),
        }
    }

    /// Length of every flag of this game, in bytes.
    pub fn len(&self) -> usize {
        self.prefix.len() + self.body + self.suffix.len()
    }

    /// Never: a flag always has a body.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The regular expression every flag of this game matches (shown to teams).
    pub fn pattern(&self) -> String {
        format!(
            "{}[A-Z2-7]{{{}}}{}",
            escape(&self.prefix),
            self.body,
            escape(&self.suffix)
        )
    }

    /// Make the flag for `info`.
    pub fn make(&self, info: FlagInfo) -> String {
        let body = payload(info);
        let mac = hmac(&self.key, &body);
        let mut out = String::with_capacity(self.len());
        out.push_str(&self.prefix);
        for i in 0..self.body {
            out.push(ALPHABET[chunk(&body, &mac, i) as usize] as char);
        }
        out.push_str(&self.suffix);
        out
    }

    /// Check a flag's format and signature, and its age against `current_round` and a lifetime
    /// in rounds (a flag of round r is accepted while `current_round - r < lifetime`).
    pub fn verify(
        &self,
        flag: &str,
        current_round: u32,
        lifetime: u32,
    ) -> Result<FlagInfo, FlagError> {
        let body = flag
            .strip_prefix(self.prefix.as_str())
            .and_then(|b| b.strip_suffix(self.suffix.as_str()))
            .ok_or(FlagError::Invalid)?;
        if body.len() != self.body {
            return Err(FlagError::Invalid);
        }
        let mut values = Vec::with_capacity(self.body);
        for c in body.bytes() {
            let v = ALPHABET
                .iter()
                .position(|&a| a == c)
                .ok_or(FlagError::Invalid)?;
            values.push(v as u8);
        }
        // The first 64 bits are the payload: 12 whole characters and 4 bits of the 13th.
        let mut raw = [0u8; 8];
        for bit in 0..PAYLOAD_BITS {
            if values[bit / 5] >> (4 - bit % 5) & 1 == 1 {
                raw[bit / 8] |= 0x80 >> (bit % 8);
            }
        }
        let mac = hmac(&self.key, &raw);
        // Compare every character, payload bits included, against the one the key makes:
        // the same as comparing the signature bits, and constant time over the body.
        let expected: Vec<u8> = (0..self.body).map(|i| chunk(&raw, &mac, i)).collect();
        if !constant_time_eq(&expected, &values) {
            return Err(FlagError::Invalid);
        }
        let info = FlagInfo {
            round: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            team: u16::from_be_bytes([raw[4], raw[5]]),
            service: raw[6],
            place: raw[7],
        };
        if info.round > current_round {
            return Err(FlagError::Invalid);
        }
        if current_round - info.round >= lifetime {
            return Err(FlagError::TooOld);
        }
        Ok(info)
    }
}

fn payload(i: FlagInfo) -> [u8; 8] {
    let r = i.round.to_be_bytes();
    let t = i.team.to_be_bytes();
    [r[0], r[1], r[2], r[3], t[0], t[1], i.service, i.place]
}

/// HMAC-SHA256 (RFC 2104).
fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `i`th 5-bit character of the body: bits 5i..5i+5 of payload ‖ signature.
fn chunk(payload: &[u8; 8], mac: &[u8; 32], i: usize) -> u8 {
    let bit = |n: usize| -> u8 {
        let byte = if n < PAYLOAD_BITS {
            payload[n / 8]
        } else {
            mac[(n - PAYLOAD_BITS) / 8]
        };
        byte >> (7 - n % 8) & 1
    };
    (0..5).fold(0u8, |acc, k| acc << 1 | bit(5 * i + k))
}

/// Text as a regular expression matching itself.
fn escape(text: &str) -> String {
    let mut escaped = String::new();
    for c in text.chars() {
        // Only the characters with a meaning: `\=` or `\-` are errors in JavaScript's
        // unicode patterns.
        if "\\.+*?()|[]{}^$".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> FlagKey {
        FlagKey::new(b"a game key that is long enough", "DRILL_")
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn flags_round_trip_and_match_their_pattern() {
        let k = key();
        let info = FlagInfo {
            round: 70_000,
            team: 62,
            service: 7,
            place: 2,
        };
        let flag = k.make(info);
        assert_eq!(flag.len(), "DRILL_".len() + 33);
        let re = format!("^{}$", k.pattern());
        assert_eq!(re, "^DRILL_[A-Z2-7]{32}=$");
        assert!(
            flag.starts_with("DRILL_")
                && flag.ends_with('=')
                && flag[6..38].bytes().all(|c| ALPHABET.contains(&c))
        );
        assert_eq!(k.verify(&flag, 70_000, 5), Ok(info));
        assert_eq!(k.verify(&flag, 70_004, 5), Ok(info));
        assert_eq!(k.verify(&flag, 70_005, 5), Err(FlagError::TooOld));
        assert_eq!(
            k.verify(&flag, 69_999, 5),
            Err(FlagError::Invalid),
            "a flag from the future is forged"
        );
    }

    #[test]
    fn tampering_and_other_keys_are_invalid() {
        let k = key();
        let flag = k.make(FlagInfo {
            round: 3,
            team: 1,
            service: 0,
            place: 1,
        });
        let other = FlagKey::new(b"another key", "DRILL_");
        assert_eq!(other.verify(&flag, 3, 5), Err(FlagError::Invalid));
        for i in 6..38 {
            let mut b = flag.clone().into_bytes();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            assert_eq!(
                k.verify(std::str::from_utf8(&b).unwrap(), 3, 5),
                Err(FlagError::Invalid),
                "position {i}"
            );
        }
        for bad in [
            "",
            "DRILL_",
            "DRILL_=",
            &flag[..flag.len() - 1],
            &format!("{flag}="),
            &flag.to_lowercase(),
            "DRILL_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1=",
        ] {
            assert_eq!(k.verify(bad, 3, 5), Err(FlagError::Invalid), "{bad:?}");
        }
    }

    #[test]
    fn short_flags_and_suffixes_round_trip() {
        let info = FlagInfo {
            round: 99_999,
            team: 4000,
            service: 7,
            place: 3,
        };
        for body in [MIN_BODY, 22, 24, 25, 31, 33, 40, MAX_BODY] {
            for (prefix, suffix) in [("FLAG{", "}"), ("DRILL_", ""), ("X", "=")] {
                let k =
                    FlagKey::with_format(b"a game key that is long enough", prefix, body, suffix);
                let flag = k.make(info);
                assert_eq!(flag.len(), prefix.len() + body + suffix.len());
                assert_eq!(k.len(), flag.len());
                let re = regex::Regex::new(&format!("^{}$", k.pattern())).unwrap();
                assert!(re.is_match(&flag), "{flag} ~ {}", k.pattern());
                assert_eq!(k.verify(&flag, 99_999, 5), Ok(info), "{flag}");
                // Every character of the body matters, the signature's last bits included.
                for i in prefix.len()..prefix.len() + body {
                    let mut b = flag.clone().into_bytes();
                    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
                    let forged = String::from_utf8(b).unwrap();
                    assert_eq!(
                        k.verify(&forged, 99_999, 5),
                        Err(FlagError::Invalid),
                        "{forged}"
                    );
                }
                // The same body under another format is not a flag.
                let other_body = if body < MAX_BODY { body + 1 } else { body - 1 };
                let other = FlagKey::with_format(
                    b"a game key that is long enough",
                    prefix,
                    other_body,
                    suffix,
                );
                assert_eq!(other.verify(&flag, 99_999, 5), Err(FlagError::Invalid));
                if !suffix.is_empty() {
                    assert_eq!(
                        k.verify(&flag[..flag.len() - 1], 99_999, 5),
                        Err(FlagError::Invalid)
                    );
                }
            }
        }
        // The shortest flag a 260-bit RSA checker can carry: prefix, 21 characters, suffix.
        let k = FlagKey::with_format(b"k", "FLAG{", 21, "}");
        assert_eq!(k.make(info).len(), 27);
        assert_eq!(k.pattern(), "FLAG\\{[A-Z2-7]{21}\\}");
        // The body length is clamped to what keeps forgery infeasible.
        assert_eq!(
            FlagKey::with_format(b"k", "F", 8, "").make(info).len(),
            1 + MIN_BODY
        );
    }

    #[test]
    fn the_default_format_is_the_one_before_formats_were_set() {
        // Flags stored by earlier versions (8 payload bytes, 12 signature bytes, base32) verify.
        let k = key();
        let info = FlagInfo {
            round: 2,
            team: 3,
            service: 1,
            place: 1,
        };
        let mut raw = payload(info).to_vec();
        raw.extend_from_slice(&hmac(b"a game key that is long enough", &payload(info))[..12]);
        let mut old = String::from("DRILL_");
        let (mut buf, mut bits) = (0u32, 0u32);
        for b in raw {
            buf = (buf << 8) | b as u32;
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                old.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
            }
        }
        old.push('=');
        assert_eq!(k.make(info), old);
        assert_eq!(k.verify(&old, 2, 5), Ok(info));
    }
}
