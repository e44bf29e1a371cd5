//! The workflow of a referral case (issue 10, part 3), pure: a case's states, the moves between
//! them, and which party may make each move. Who a user is in a case (the referring side, the
//! agency the case is sent to, an administrator) is decided by `thanrak_app::policy`; this module
//! never looks at roles. Store, API and pages of cases are not built yet: this is the rule they
//! will share.
//!
//! proposed → sent → accepted → in progress → resolved; sent or accepted → declined (with a
//! reason); anything not ended → cancelled (by the referring side). Resolved, declined and
//! cancelled are final.

use chrono::NaiveDate;

use crate::methodology::Group;

crate::labelled_enum!(
    /// Where a case stands.
    pub enum CaseState {
        /// Drafted by the referring side, not yet sent.
        Proposed = "proposed" / "เสนอ" / "Proposed",
        /// Sent to the agency, waiting for its answer.
        Sent = "sent" / "ส่งต่อแล้ว" / "Sent",
        /// Accepted by the agency.
        Accepted = "accepted" / "รับเรื่องแล้ว" / "Accepted",
        /// The agency is helping.
        InProgress = "in_progress" / "กำลังดำเนินการ" / "In progress",
        /// Help given; the case is closed.
        Resolved = "resolved" / "แก้ไขแล้ว" / "Resolved",
        /// The agency declined it, with a reason.
        Declined = "declined" / "ปฏิเสธ" / "Declined",
        /// Withdrawn by the referring side.
        Cancelled = "cancelled" / "ยกเลิก" / "Cancelled",
    }
);

impl CaseState {
    /// Whether the case has ended (no move leaves it).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CaseState::Resolved | CaseState::Declined | CaseState::Cancelled
        )
    }
}

crate::labelled_enum!(
    /// A move on a case.
    pub enum CaseMove {
        /// Send a proposed case to its agency.
        Send = "send" / "ส่งต่อ" / "Send",
        /// The agency takes the case.
        Accept = "accept" / "รับเรื่อง" / "Accept",
        /// The agency starts helping.
        Start = "start" / "เริ่มดำเนินการ" / "Start",
        /// The agency closes the case, help given.
        Resolve = "resolve" / "ปิดเรื่อง (แก้ไขแล้ว)" / "Resolve",
        /// The agency declines the case (a reason is required).
        Decline = "decline" / "ปฏิเสธ" / "Decline",
        /// The referring side withdraws the case.
        Cancel = "cancel" / "ยกเลิก" / "Cancel",
    }
);

/// Who makes a move, as far as a case is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The side that referred the household (an area manager of its area).
    Referrer,
    /// An officer of the agency the case is sent to.
    Agency,
    /// An administrator, who may make any move the workflow allows.
    Admin,
    /// Anyone else: no move.
    Other,
}

/// Why a move was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The workflow has no such move from this state.
    #[error("a {} case cannot be moved to {}: from {} it can go to {}", .from, .to, .from, allowed(*.from))]
    NotAllowed {
        /// The state the case is in.
        from: CaseState,
        /// The state the move leads to.
        to: CaseState,
    },
    /// The move is not this party's to make.
    #[error("only {0} may {1} a case")]
    NotYours(&'static str, CaseMove),
    /// A decline without a reason.
    #[error("a declined case needs a reason")]
    ReasonRequired,
}

fn allowed(from: CaseState) -> String {
    let to: Vec<&str> = CaseMove::ALL
        .iter()
        .filter_map(|m| m.target(from).map(CaseState::as_str))
        .collect();
    if to.is_empty() {
        "nothing (it has ended)".into()
    } else {
        to.join(", ")
    }
}

impl CaseMove {
    /// The state this move aims at.
    pub fn aim(self) -> CaseState {
        match self {
            CaseMove::Send => CaseState::Sent,
            CaseMove::Accept => CaseState::Accepted,
            CaseMove::Start => CaseState::InProgress,
            CaseMove::Resolve => CaseState::Resolved,
            CaseMove::Decline => CaseState::Declined,
            CaseMove::Cancel => CaseState::Cancelled,
        }
    }

    /// The state this move leads to from `from`, if the workflow has it.
    pub fn target(self, from: CaseState) -> Option<CaseState> {
        use CaseMove::*;
        use CaseState::*;
        match (self, from) {
            (Send, Proposed) => Some(Sent),
            (Accept, Sent) => Some(Accepted),
            (Start, Accepted) => Some(InProgress),
            (Resolve, Accepted | InProgress) => Some(Resolved),
            (Decline, Sent | Accepted) => Some(Declined),
            (Cancel, Proposed | Sent | Accepted | InProgress) => Some(Cancelled),
            _ => None,
        }
    }

    /// The party whose move this is (an admin may make any).
    fn owner(self) -> (Party, &'static str) {
        match self {
            CaseMove::Send | CaseMove::Cancel => (Party::Referrer, "the referring side"),
            _ => (Party::Agency, "the agency the case is sent to"),
        }
    }
}

/// The state a move leads to, or why it is refused: the party first (a party with no part in
/// the case learns nothing of its state), then the workflow, then the reason a decline needs.
pub fn apply(
    from: CaseState,
    m: CaseMove,
    by: Party,
    reason: Option<&str>,
) -> Result<CaseState, CaseError> {
    let (owner, who) = m.owner();
    if by != owner && by != Party::Admin {
        return Err(CaseError::NotYours(who, m));
    }
    let to = m
        .target(from)
        .ok_or(CaseError::NotAllowed { from, to: m.aim() })?;
    if m == CaseMove::Decline && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(CaseError::ReasonRequired);
    }
    Ok(to)
}

/// A case's priority from its household's group: 1 (hardship) to 4 (doing well).
pub fn priority(group: Group) -> u8 {
    match group {
        Group::Hardship => 1,
        Group::Struggling => 2,
        Group::GettingBy => 3,
        Group::DoingWell => 4,
    }
}

/// Whether a case is overdue on `today`: past its due date and not ended.
pub fn is_overdue(state: CaseState, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    !state.is_final() && due.is_some_and(|d| today > d)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_happy_path_and_its_refusals() {
        use CaseMove::*;
        use CaseState::*;
        let mut s = Proposed;
        for (m, by) in [
            (Send, Party::Referrer),
            (Accept, Party::Agency),
            (Start, Party::Agency),
            (Resolve, Party::Agency),
        ] {
            s = apply(s, m, by, None).unwrap();
        }
        assert_eq!(s, Resolved);
        assert_eq!(
            apply(Resolved, Cancel, Party::Referrer, None)
                .unwrap_err()
                .to_string(),
            "a resolved case cannot be moved to cancelled: from resolved it can go to nothing (it has ended)"
        );
        assert_eq!(
            apply(Sent, Accept, Party::Referrer, None)
                .unwrap_err()
                .to_string(),
            "only the agency the case is sent to may accept a case"
        );
        assert_eq!(
            apply(Sent, Decline, Party::Agency, Some("  ")),
            Err(CaseError::ReasonRequired)
        );
        assert_eq!(
            apply(Sent, Decline, Party::Agency, Some("outside our mission")),
            Ok(Declined)
        );
        assert_eq!(
            apply(Proposed, Accept, Party::Admin, None)
                .unwrap_err()
                .to_string(),
            "a proposed case cannot be moved to accepted: from proposed it can go to sent, cancelled"
        );
        assert!(is_overdue(
            Sent,
            NaiveDate::from_ymd_opt(2026, 1, 1),
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()
        ));
        assert!(!is_overdue(
            Resolved,
            NaiveDate::from_ymd_opt(2026, 1, 1),
            NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()
        ));
        assert_eq!(priority(Group::Hardship), 1);
    }

    fn any_move() -> impl Strategy<Value = CaseMove> {
        prop::sample::select(CaseMove::ALL.to_vec())
    }

    fn any_party() -> impl Strategy<Value = Party> {
        prop::sample::select(vec![
            Party::Referrer,
            Party::Agency,
            Party::Admin,
            Party::Other,
        ])
    }

    proptest! {
        /// Random moves by random parties: a refused move changes nothing; an ended case never
        /// moves again; a stranger never moves a case; every state reached is reachable by the
        /// table of moves; a declined case always had a reason.
        #[test]
        fn random_moves_keep_the_workflow(
            steps in prop::collection::vec((any_move(), any_party(), any::<bool>()), 0..40)
        ) {
            let mut s = CaseState::Proposed;
            for (m, by, with_reason) in steps {
                let reason = with_reason.then_some("no budget this year");
                match apply(s, m, by, reason) {
                    Ok(to) => {
                        prop_assert!(!s.is_final(), "{s} moved to {to}");
                        prop_assert!(by != Party::Other);
                        prop_assert_eq!(m.target(s), Some(to));
                        prop_assert_eq!(m.aim(), to);
                        if to == CaseState::Declined {
                            prop_assert!(reason.is_some());
                        }
                        s = to;
                    }
                    Err(CaseError::NotYours(..)) => {
                        prop_assert!(by != Party::Admin);
                    }
                    Err(CaseError::NotAllowed { from, .. }) => {
                        prop_assert_eq!(from, s);
                        prop_assert!(m.target(s).is_none());
                    }
                    Err(CaseError::ReasonRequired) => {
                        prop_assert_eq!(m, CaseMove::Decline);
                    }
                }
            }
        }
    }
}
