//! Self-verifying flags: round, owner team, service and flag place are inside the flag, with an
//! HMAC, so "invalid", "too old" and "your own" are decided without reading the database.
//!
//! A flag is `PREFIX` + 32 base32 characters + `=`. The 20 bytes behind the base32 are
//! `round (u32) | team (u16) | service (u8) | place (u8)` followed by the first 12 bytes of
//! HMAC-SHA256(key, those 8 bytes).

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

const MAC_LEN: usize = 12;
const RAW_LEN: usize = 8 + MAC_LEN;
const B32_LEN: usize = 32;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Signs and checks flags with one secret key.
#[derive(Clone)]
pub struct FlagKey {
    key: Vec<u8>,
    prefix: String,
}

impl std::fmt::Debug for FlagKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlagKey")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl FlagKey {
    /// A key and the flag prefix (e.g. `DRILL_`).
    pub fn new(key: &[u8], prefix: &str) -> Self {
        FlagKey {
            key: key.to_vec(),
            prefix: prefix.to_owned(),
        }
    }

    /// The regular expression every flag of this game matches (shown to teams).
    pub fn pattern(&self) -> String {
        let mut escaped = String::new();
        for c in self.prefix.chars() {
            if c.is_ascii_alphanumeric() || c == '_' {
                escaped.push(c);
            } else {
                escaped.push('\\');
                escaped.push(c);
            }
        }
        format!("{escaped}[A-Z2-7]{{{B32_LEN}}}=")
    }

    /// Make the flag for `info`.
    pub fn make(&self, info: FlagInfo) -> String {
        let body = payload(info);
        let mac = hmac(&self.key, &body);
        let mut raw = [0u8; RAW_LEN];
        raw[..8].copy_from_slice(&body);
        raw[8..].copy_from_slice(&mac[..MAC_LEN]);
        format!("{}{}=", self.prefix, base32(&raw))
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
            .and_then(|b| b.strip_suffix('='))
            .ok_or(FlagError::Invalid)?;
        if body.len() != B32_LEN {
            return Err(FlagError::Invalid);
        }
        let raw = unbase32(body).ok_or(FlagError::Invalid)?;
        let mac = hmac(&self.key, &raw[..8]);
        if !constant_time_eq(&mac[..MAC_LEN], &raw[8..]) {
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

fn base32(raw: &[u8; RAW_LEN]) -> String {
    let mut out = String::with_capacity(B32_LEN);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in raw {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
    }
    out
}

fn unbase32(s: &str) -> Option<[u8; RAW_LEN]> {
    let mut out = [0u8; RAW_LEN];
    let (mut buf, mut bits, mut n) = (0u32, 0u32, 0usize);
    for c in s.bytes() {
        let v = ALPHABET.iter().position(|&a| a == c)? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            *out.get_mut(n)? = (buf >> bits) as u8;
            n += 1;
        }
    }
    (n == RAW_LEN).then_some(out)
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
}
