//! The tourism need of §5 reads the grassroots-economy registry: a household has it when a
//! member has the skill tourism_service and its subdistrict has a CBT group — the scorer's
//! `AreaContext` — and never without one.

use std::collections::BTreeSet;

use thanrak_core::household::Skill;
use thanrak_core::measure::{score_round, score_round_in, AreaContext};
use thanrak_core::methodology::Methodology;
use thanrak_core::{AreaLevel, AreaRegistry};
use thanrak_demo::{generate, DemoConfig};

#[test]
fn the_tourism_need_follows_the_cbt_groups_of_the_subdistrict() {
    let config = DemoConfig {
        households: 3_000,
        ..DemoConfig::default()
    };
    let [round, _] = generate(&config, AreaRegistry::official()).unwrap();
    let m = Methodology::thanrak_default();
    let tourism = m.needs().iter().position(|n| n.id == "tourism").unwrap();
    let skilled: BTreeSet<_> = round
        .members
        .iter()
        .filter(|x| x.skills.contains(Skill::TourismService))
        .map(|x| x.household_id.clone())
        .collect();
    assert!(!skilled.is_empty());
    let without = score_round(m, &round.households, &round.members);
    assert!(without.iter().all(|s| !s.needs.get(tourism)));

    // CBT groups in the subdistricts of every other skilled household.
    let sub =
        |h: &thanrak_core::Household| h.village_code.ancestor(AreaLevel::Subdistrict).unwrap();
    let cbt: BTreeSet<_> = round
        .households
        .iter()
        .filter(|h| skilled.contains(&h.household_id))
        .step_by(2)
        .map(sub)
        .collect();
    let context = AreaContext {
        cbt_subdistricts: cbt.clone(),
    };
    let with = score_round_in(m, &round.households, &round.members, &context);
    let mut seen = 0;
    for (h, s) in round.households.iter().zip(&with) {
        let expected = skilled.contains(&h.household_id) && cbt.contains(&sub(h));
        assert_eq!(s.needs.get(tourism), expected, "{}", h.household_id);
        seen += usize::from(expected);
    }
    assert!(seen > 0);
    // Nothing else moves.
    for (a, b) in without.iter().zip(&with) {
        assert_eq!(
            (a.group, a.c, a.deprivations),
            (b.group, b.c, b.deprivations)
        );
    }
}
