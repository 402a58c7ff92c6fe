//! Attack/defend in the server: the live game state (current round, flag key, captures already
//! credited), flag submission over HTTP and TCP through one pipeline, and the round ticker.

pub mod submit;
pub mod tcp;
pub mod ticker;
pub mod workers;

use std::collections::{HashMap, HashSet};

use drillboard_gameserver::flags::FlagKey;
use drillboard_scenario::Scenario;
use drillboard_scoring::{Event, EventKind};
use drillboard_store::{RoundRow, TeamRow};

// The scenario's floor on flag bodies is the flag key's.
const _: () = assert!(
    drillboard_scenario::MIN_FLAG_BODY as usize == drillboard_gameserver::flags::MIN_BODY
        && drillboard_scenario::MAX_FLAG_BODY as usize == drillboard_gameserver::flags::MAX_BODY
);

/// One capture: (attacker row id, victim row id, service index, round, place).
pub type CaptureKey = (i32, i32, u8, u32, u8);

/// What flag submission needs in memory, rebuilt with the rest of the live state.
#[derive(Debug, Clone)]
pub struct AdLive {
    /// Signs and checks this game's flags.
    pub key: FlagKey,
    /// The latest round started (None: the game has not started).
    pub round: Option<RoundRow>,
    /// Captures already credited, so a repeat is answered without the database.
    pub captured: HashSet<CaptureKey>,
    /// The latest verdict of each (team slug, service id), for `attack_when_down: false`.
    pub last_state: HashMap<(String, String), drillboard_scoring::ServiceState>,
}

impl AdLive {
    /// Build from the scenario, the teams and the event log; `None` without an attack/defend part.
    pub fn build<'e>(
        secret: &[u8],
        scenario: &Scenario,
        teams: &[TeamRow],
        round: Option<RoundRow>,
        events: impl IntoIterator<Item = &'e Event>,
    ) -> Option<AdLive> {
        let ad = scenario.attack_defense.as_ref()?;
        let id_of: HashMap<&str, i32> = teams.iter().map(|t| (t.slug.as_str(), t.id)).collect();
        let service_of: HashMap<&str, u8> = scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i as u8))
            .collect();
        let mut live = AdLive {
            key: FlagKey::with_format(
                secret,
                &ad.flag_prefix,
                ad.flag_body_length as usize,
                &ad.flag_suffix,
            ),
            round,
            captured: HashSet::new(),
            last_state: HashMap::new(),
        };
        let mut latest: HashMap<(String, String), u32> = HashMap::new();
        for e in events {
            match &e.kind {
                EventKind::FlagCaptured {
                    service,
                    victim,
                    round,
                    place,
                } => {
                    if let (Some(a), Some(v), Some(s)) = (
                        id_of.get(e.team.as_str()),
                        id_of.get(victim.as_str()),
                        service_of.get(service.as_str()),
                    ) {
                        live.captured.insert((*a, *v, *s, *round, *place));
                    }
                }
                EventKind::ServiceChecked {
                    service,
                    round,
                    state,
                } => {
                    let k = (e.team.clone(), service.clone());
                    if latest.get(&k).is_none_or(|r| *r <= *round) {
                        latest.insert(k.clone(), *round);
                        live.last_state.insert(k, *state);
                    }
                }
                _ => {}
            }
        }
        Some(live)
    }

    /// The current round number (0 before the first).
    pub fn round_number(&self) -> u32 {
        self.round.as_ref().map_or(0, |r| r.number as u32)
    }

    /// Take note of events just stored.
    pub fn note(&mut self, e: &Event, key: Option<CaptureKey>) {
        if let Some(k) = key {
            self.captured.insert(k);
        }
        if let EventKind::ServiceChecked { service, state, .. } = &e.kind {
            self.last_state
                .insert((e.team.clone(), service.clone()), *state);
        }
    }
}

/// The oldest round whose flags are still alive in `round`: a flag of round `f` counts while
/// `round - f < lifetime`.
pub fn first_alive_round(round: u32, lifetime: u32) -> u32 {
    (round + 1).saturating_sub(lifetime).max(1)
}

/// Random lowercase hex, for flag ids.
pub fn random_hex<const N: usize>() -> String {
    crate::auth::random_bytes::<N>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
