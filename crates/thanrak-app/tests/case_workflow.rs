//! The referral workflow at the level of the use cases, as a property: random sequences of
//! moves by random users (an admin, the referring area manager, the case's agency, another
//! agency, a surveyor elsewhere, an analyst), some on a stale version, against a model written
//! here from the rules. After every action the answer (done, not found, forbidden, not
//! allowed, conflict) and the stored case (state, version, one event per change) match the model.

mod common;

use common::{officer, user};
use proptest::prelude::*;
use thanrak_app::access::AccessError;
use thanrak_app::cases::{self, ReferRequest};
use thanrak_app::scoring;
use thanrak_app::AppError;
use thanrak_core::case::{CaseMove, CaseState};
use thanrak_core::identity::AgencyCode;
use thanrak_core::{AreaCode, HouseholdId, RoundLabel};
use thanrak_demo::DemoConfig;
use thanrak_store::{Store, StoreError, User};

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Admin,
    Referrer,
    Agency,
    OtherAgency,
    SurveyorElsewhere,
    Analyst,
}

const WHO: [Who; 6] = [
    Who::Admin,
    Who::Referrer,
    Who::Agency,
    Who::OtherAgency,
    Who::SurveyorElsewhere,
    Who::Analyst,
];

/// What the model expects of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Done(CaseState),
    NotFound,
    Forbidden,
    NotAllowed,
    Conflict,
}

/// The rules of the issue, written out: who reads the case, whose each move is, where each
/// move goes from where.
fn model(state: CaseState, who: Who, m: CaseMove, stale: bool) -> Answer {
    match who {
        Who::Analyst => return Answer::Forbidden,
        Who::OtherAgency | Who::SurveyorElsewhere => return Answer::NotFound,
        _ => {}
    }
    use CaseMove::*;
    use CaseState::*;
    let to = match (state, m) {
        (Proposed, Send) => Some(Sent),
        (Sent, Accept) => Some(Accepted),
        (Accepted, Start) => Some(InProgress),
        (Accepted | InProgress, Resolve) => Some(Resolved),
        (Sent | Accepted, Decline) => Some(Declined),
        (Proposed | Sent | Accepted | InProgress, Cancel) => Some(Cancelled),
        _ => None,
    };
    let mine = match m {
        Send | Cancel => matches!(who, Who::Referrer | Who::Admin),
        Accept | Start | Resolve | Decline => matches!(who, Who::Agency | Who::Admin),
    };
    // A move that is not the user's is refused whatever the state; the workflow is checked
    // on the state read, and the version only when the move is written.
    match to {
        _ if !mine => Answer::Forbidden,
        None => Answer::NotAllowed,
        Some(_) if stale => Answer::Conflict,
        Some(to) => Answer::Done(to),
    }
}

fn answer(r: &Result<thanrak_store::Case, AccessError>) -> Answer {
    match r {
        Ok(c) => Answer::Done(c.state),
        Err(AccessError::Forbidden(_)) => Answer::Forbidden,
        Err(AccessError::App(AppError::NotFound(_))) => Answer::NotFound,
        Err(AccessError::App(AppError::Rule(_))) => Answer::NotAllowed,
        Err(AccessError::App(AppError::Store(StoreError::Conflict(_)))) => Answer::Conflict,
        Err(e) => panic!("unexpected {e:?}"),
    }
}

struct World {
    store: Store,
    round: RoundLabel,
    households: Vec<HouseholdId>,
    users: Vec<(Who, User)>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store = Store::connect(&url).await.unwrap();
    let code = |s: &str| AreaCode::parse(s).unwrap();
    let config = DemoConfig {
        households: 300,
        seed: 11,
        provinces: vec![code("52"), code("45")],
    };
    thanrak_app::load_demo(&store, &config, &mut |_, _, _| {})
        .await
        .unwrap();
    let round = RoundLabel::parse("2569-1").unwrap();
    let lm = scoring::load_methodology(None).unwrap();
    scoring::score_round(&store, &round, &lm, &mut |_, _, _| {})
        .await
        .unwrap();
    let lampang = code("52");
    let households: Vec<HouseholdId> = store
        .registry()
        .households(&round)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.village_code.is_within(&lampang))
        .map(|h| h.household_id)
        .collect();
    let users = vec![
        (Who::Admin, user(&store, "admin", "admin", &[]).await),
        (
            Who::Referrer,
            user(&store, "lampang", "area_manager", &["52"]).await,
        ),
        (
            Who::Agency,
            officer(&store, "codi", "agency_officer", &[], Some("codi")).await,
        ),
        (
            Who::OtherAgency,
            officer(&store, "dasta", "agency_officer", &[], Some("dasta")).await,
        ),
        (
            Who::SurveyorElsewhere,
            user(&store, "roiet", "surveyor", &["450101"]).await,
        ),
        (Who::Analyst, user(&store, "analyst", "analyst", &[]).await),
    ];
    World {
        store,
        round,
        households,
        users,
        _dir: dir,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_action_answers_as_the_rules_say(
        send in any::<bool>(),
        actions in proptest::collection::vec((0..WHO.len(), 0..CaseMove::ALL.len(), any::<bool>()), 1..12),
    ) {
        thread_local! {
            static RT: tokio::runtime::Runtime = runtime();
            static WORLD: std::cell::RefCell<Option<std::rc::Rc<World>>> = const { std::cell::RefCell::new(None) };
            static NEXT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }
        let w = WORLD.with(|cell| {
            cell.borrow_mut()
                .get_or_insert_with(|| std::rc::Rc::new(RT.with(|rt| rt.block_on(world()))))
                .clone()
        });
        // A fresh household for each sequence.
        let n = NEXT.with(|c| { let n = c.get(); c.set(n + 1); n });
        let household = w.households[n % w.households.len()].clone();
        RT.with(|rt| rt.block_on(async {
            let referrer = &w.users[1].1;
            let c = cases::refer(&w.store, referrer, &ReferRequest {
                round: w.round.clone(),
                household_id: household,
                need: ["housing", "occupation"][n / w.households.len() % 2].into(),
                agency: AgencyCode::parse("codi").unwrap(),
                note: String::new(),
                due_on: None,
                send,
            }).await.unwrap();
            let (mut state, mut version) = (c.state, c.version);
            prop_assert_eq!(state, if send { CaseState::Sent } else { CaseState::Proposed });
            let mut changes = 1;
            for (who, m, stale) in actions {
                let (who, u) = &w.users[who];
                let m = CaseMove::ALL[m];
                // A stale version only exists once the case has changed.
                let stale = stale && version > 1;
                let expected = model(state, *who, m, stale);
                let read_at = if stale { version - 1 } else { version };
                let got = answer(&cases::move_case(&w.store, u, c.id, read_at, m, "เหตุผล").await);
                prop_assert_eq!(got, expected, "{:?} {:?} from {:?} (stale {})", who, m, state, stale);
                if let Answer::Done(to) = expected {
                    state = to;
                    version += 1;
                    changes += 1;
                }
                let (stored, events) = cases::get_case(&w.store, referrer, c.id).await.unwrap();
                prop_assert_eq!((stored.state, stored.version), (state, version));
                prop_assert_eq!(events.len(), changes);
                prop_assert_eq!(events.last().unwrap().to, state);
            }
            Ok(())
        }))?;
    }
}
