//! Likely duplicate persons and households (issue 13): found over every round inside what the
//! user reads (`thanrak_core::field::duplicates`), listed for review with the evidence, marked as
//! not duplicates, or merged with the records they replace kept in the households' history.
//!
//! A merge makes of a group one person in one household per round: within a round, the
//! household that keeps the most members takes in the others' members it does not hold already
//! (the same national id, or the same name and birth date) and the others are removed; across
//! rounds, a later round's household takes the id of the earliest one, so that it is followed
//! from round to round. Every household changed or removed is kept as a version first, and the
//! whole merge is one transaction with its review; the rounds it touches are scored again.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use thanrak_core::field::duplicates::{find, name_key, Evidence, Group, Person};
use thanrak_core::{AreaCode, Household, HouseholdId, Member, RoundLabel};
use thanrak_store::{
    DuplicateReview, MemberUpdate, NewAuditEntry, PersonRow, Recorded, Scope, Store, User,
    VersionRow,
};

use crate::access::{mask_name, AccessError};
use crate::field::Record;
use crate::{policy, AppError};

/// One person of a group, as the user may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicatePerson {
    /// The round.
    pub round: RoundLabel,
    /// The household.
    pub household_id: HouseholdId,
    /// Its village.
    pub village_code: AreaCode,
    /// The member's number.
    pub member_no: u16,
    /// The name, masked for roles that see personal data masked.
    pub name: String,
    /// The national id, masked likewise (`None`: not recorded).
    pub national_id: Option<String>,
    /// Date of birth (`None`: not recorded, or masked).
    pub birth_date: Option<NaiveDate>,
}

/// A group of likely duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateGroup {
    /// Its key: the evidence and the persons it holds, so that a group that changes is a new
    /// group to review.
    pub key: String,
    /// Why (`national_id`, `name_birth`).
    pub evidence: &'static str,
    /// The persons.
    pub persons: Vec<DuplicatePerson>,
    /// The households it spans.
    pub households: usize,
    /// Its review, if decided.
    pub review: Option<DuplicateReview>,
}

/// A page of groups.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateList {
    /// The groups of the page.
    pub groups: Vec<DuplicateGroup>,
    /// Groups in all (with the filters).
    pub total: usize,
    /// Groups not yet decided, by evidence.
    pub open_by_evidence: Vec<(&'static str, usize)>,
    /// Members looked at.
    pub persons: usize,
    /// Whether names and ids are masked.
    pub masked: bool,
    /// Whether the user may decide (mark, merge).
    pub may_review: bool,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct DuplicateQuery {
    /// Only groups with a person inside this area.
    pub area: Option<AreaCode>,
    /// Only this evidence.
    pub evidence: Option<String>,
    /// Also the groups decided already.
    pub decided: bool,
    /// 1-based page.
    pub page: usize,
    /// Groups per page.
    pub per_page: usize,
}

/// A stable key of a group: FNV-1a over its evidence and persons.
fn group_key(evidence: Evidence, persons: &[&PersonRow]) -> String {
    let mut ids: Vec<String> = persons
        .iter()
        .map(|p| format!("{}\u{1f}{}\u{1f}{}", p.round, p.household_id, p.member_no))
        .collect();
    ids.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in evidence
        .code()
        .bytes()
        .chain(ids.join("\u{1e}").into_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Every group of likely duplicates among what `scope` reads, with the persons it was found in.
async fn groups_in(store: &Store, scope: &Scope) -> Result<(Vec<PersonRow>, Vec<Group>), AppError> {
    let rows = store.registry().persons(scope).await?;
    let groups = crate::blocking(|| detect(&rows));
    Ok((rows, groups))
}

/// The detection over rows read from the store (public for the benchmark).
pub fn detect(rows: &[PersonRow]) -> Vec<Group> {
    let mut household_index: HashMap<(&RoundLabel, &HouseholdId), u32> = HashMap::new();
    let mut household_ids: HashMap<&HouseholdId, u64> = HashMap::new();
    let mut ids_of: Vec<u64> = Vec::new();
    let mut round_index: HashMap<&RoundLabel, u32> = HashMap::new();
    let persons: Vec<Person> = rows
        .iter()
        .map(|r| {
            let n = household_index.len() as u32;
            let h = *household_index
                .entry((&r.round, &r.household_id))
                .or_insert_with(|| {
                    let next = household_ids.len() as u64;
                    ids_of.push(*household_ids.entry(&r.household_id).or_insert(next));
                    n
                });
            let nr = round_index.len() as u32;
            let round = *round_index.entry(&r.round).or_insert(nr);
            Person {
                household: h,
                member_no: r.member_no,
                national_id: r.national_id,
                first_name: r.first_name.clone(),
                last_name: r.last_name.clone(),
                birth_date: r.birth_date,
                subdistrict: r.village_code.to_string()[..6].parse().unwrap_or(0),
                round,
            }
        })
        .collect();
    find(&persons, &|h| ids_of[h as usize])
}

fn forbidden_unless_reader(user: &User) -> Result<Scope, AccessError> {
    policy::duplicate_reader(user)
}

/// The groups of likely duplicates inside what `user` reads: a page, with the counts. Listing
/// unmasked persons is written to the audit log with their households.
pub async fn list_duplicates(
    store: &Store,
    user: &User,
    q: &DuplicateQuery,
) -> Result<DuplicateList, AccessError> {
    let scope = forbidden_unless_reader(user)?;
    if let (Some(a), Scope::Areas(areas)) = (q.area, &scope) {
        if !areas.iter().any(|x| a.is_within(x) || x.is_within(&a)) {
            return Err(AppError::NotFound(format!("area {a} is not among your areas")).into());
        }
    }
    let masked = !policy::sees_personal_data(user.role);
    let (rows, groups) = groups_in(store, &scope).await?;
    let reviews = store.registry().duplicate_reviews().await?;
    let mut all: Vec<DuplicateGroup> = Vec::new();
    let mut open: BTreeMap<&'static str, usize> = BTreeMap::new();
    for g in &groups {
        let members: Vec<&PersonRow> = g.persons.iter().map(|&i| &rows[i as usize]).collect();
        let key = group_key(g.evidence, &members);
        let review = reviews.get(&key).cloned();
        if review.is_none() {
            *open.entry(g.evidence.code()).or_default() += 1;
        }
        if q.area
            .is_some_and(|a| !members.iter().any(|p| p.village_code.is_within(&a)))
        {
            continue;
        }
        if q.evidence
            .as_deref()
            .is_some_and(|e| e != g.evidence.code())
        {
            continue;
        }
        if review.is_some() && !q.decided {
            continue;
        }
        let households: HashSet<(&RoundLabel, &HouseholdId)> = members
            .iter()
            .map(|p| (&p.round, &p.household_id))
            .collect();
        all.push(DuplicateGroup {
            key,
            evidence: g.evidence.code(),
            households: households.len(),
            persons: members
                .iter()
                .map(|p| DuplicatePerson {
                    round: p.round.clone(),
                    household_id: p.household_id.clone(),
                    village_code: p.village_code,
                    member_no: p.member_no,
                    name: if masked {
                        mask_name(&p.first_name)
                    } else {
                        format!("{} {}", p.first_name, p.last_name)
                            .trim()
                            .to_string()
                    },
                    national_id: p
                        .national_id
                        .map(|n| if masked { n.masked() } else { n.digits() }),
                    birth_date: if masked { None } else { p.birth_date },
                })
                .collect(),
            review,
        });
    }
    let total = all.len();
    let per_page = q.per_page.clamp(1, 500);
    let page = q.page.max(1);
    let groups: Vec<DuplicateGroup> = all
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    if !masked && !groups.is_empty() {
        let ids: BTreeSet<String> = groups
            .iter()
            .flat_map(|g| g.persons.iter().map(|p| p.household_id.to_string()))
            .collect();
        store
            .audit()
            .append(&NewAuditEntry {
                at: Utc::now(),
                user_id: user.id,
                user_name: user.name.to_string(),
                action: format!("viewed {} groups of likely duplicates", groups.len()),
                round: None,
                household_ids: ids.into_iter().collect(),
            })
            .await?;
    }
    Ok(DuplicateList {
        groups,
        total,
        open_by_evidence: open.into_iter().collect(),
        persons: rows.len(),
        masked,
        may_review: policy::reviews_duplicates(user),
    })
}

/// The group `key` inside what `user` reads, with its persons; not found otherwise.
async fn group_of(
    store: &Store,
    user: &User,
    key: &str,
) -> Result<(Scope, Vec<PersonRow>, Evidence), AccessError> {
    if !policy::reviews_duplicates(user) {
        return Err(AccessError::Forbidden(
            "only admins and area managers decide on duplicates".into(),
        ));
    }
    let scope = forbidden_unless_reader(user)?;
    let (rows, groups) = groups_in(store, &scope).await?;
    for g in groups {
        let members: Vec<&PersonRow> = g.persons.iter().map(|&i| &rows[i as usize]).collect();
        if group_key(g.evidence, &members) == key {
            let persons = members.into_iter().cloned().collect();
            return Ok((scope, persons, g.evidence));
        }
    }
    Err(AppError::NotFound(format!("no group of likely duplicates {key}")).into())
}

fn already(e: thanrak_store::StoreError) -> AccessError {
    match e {
        thanrak_store::StoreError::Conflict(_) => {
            AppError::Rule("this group has been decided already".into()).into()
        }
        other => AppError::from(other).into(),
    }
}

/// Marks the group `key` as not duplicates (two people, or two households, after all).
pub async fn mark_not_duplicates(
    store: &Store,
    user: &User,
    key: &str,
    note: &str,
) -> Result<(), AccessError> {
    let note = note.trim();
    if note.chars().count() > 500 || note.chars().any(|c| c.is_control()) {
        return Err(AppError::Invalid("a note is at most 500 characters of text".into()).into());
    }
    let (_, persons, _) = group_of(store, user, key).await?;
    store
        .registry()
        .review_duplicates(&DuplicateReview {
            key: key.to_string(),
            decision: "not_duplicates".into(),
            note: note.to_string(),
            decided_by: user.name.to_string(),
            decided_at: Utc::now(),
        })
        .await
        .map_err(already)?;
    audit(
        store,
        user,
        format!("marked duplicates group {key} as not duplicates"),
        &persons,
    )
    .await
}

async fn audit(
    store: &Store,
    user: &User,
    action: String,
    persons: &[PersonRow],
) -> Result<(), AccessError> {
    let ids: BTreeSet<String> = persons.iter().map(|p| p.household_id.to_string()).collect();
    store
        .audit()
        .append(&NewAuditEntry {
            at: Utc::now(),
            user_id: user.id,
            user_name: user.name.to_string(),
            action,
            round: persons.first().map(|p| p.round.to_string()),
            household_ids: ids.into_iter().collect(),
        })
        .await?;
    Ok(())
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutcome {
    /// The household id the group's households share now.
    pub household_id: HouseholdId,
    /// Households removed (merged into another of their round).
    pub removed: usize,
    /// Members removed as the same person twice.
    pub members_removed: usize,
    /// The rounds changed (to be scored again).
    pub rounds: Vec<RoundLabel>,
}

/// Whether two members are one person: the same national id, or without ids the same name key
/// and birth date.
fn same_person(a: &Member, b: &Member) -> bool {
    match (a.national_id, b.national_id) {
        (Some(x), Some(y)) => x == y,
        _ => {
            a.birth_date.is_some()
                && a.birth_date == b.birth_date
                && name_key(&a.first_name, &a.last_name) == name_key(&b.first_name, &b.last_name)
        }
    }
}

/// What merging a group would write, worked out and not yet written.
pub struct MergePlan {
    /// What the merge does, for the person who confirms it.
    pub outcome: MergeOutcome,
    /// The households removed or renamed away: round and id.
    pub removed: Vec<(RoundLabel, HouseholdId)>,
    persons: Vec<PersonRow>,
    households: Vec<Household>,
    members: Vec<Member>,
    recorded: Recorded,
}

/// Merges the group `key` (see the module's documentation), in one transaction with its review.
pub async fn merge(store: &Store, user: &User, key: &str) -> Result<MergeOutcome, AccessError> {
    let plan = merge_plan(store, user, key).await?;
    let MergePlan {
        outcome,
        removed,
        persons,
        households,
        members,
        recorded,
    } = plan;
    store
        .registry()
        .import_recorded(
            &households,
            &members,
            MemberUpdate::Replace,
            &format!("merge of duplicates by {}", user.name),
            &recorded,
            &mut |_, _| {},
        )
        .await
        .map_err(already)?;
    let target = &outcome.household_id;
    audit(
        store,
        user,
        format!(
            "merged duplicates group {key} into household {target}: {} households removed, \
             {} members removed",
            removed.iter().filter(|(_, id)| id != target).count(),
            outcome.members_removed
        ),
        &persons,
    )
    .await?;
    Ok(outcome)
}

/// What merging the group `key` would do, for the user to confirm; nothing is written.
pub async fn merge_plan(store: &Store, user: &User, key: &str) -> Result<MergePlan, AccessError> {
    let (scope, persons, _) = group_of(store, user, key).await?;
    let mut by_round: BTreeMap<RoundLabel, BTreeSet<HouseholdId>> = BTreeMap::new();
    for p in &persons {
        by_round
            .entry(p.round.clone())
            .or_default()
            .insert(p.household_id.clone());
    }
    // Each household of the group with its members, as stored.
    let mut records: BTreeMap<(RoundLabel, HouseholdId), (Household, Vec<Member>)> =
        BTreeMap::new();
    for (round, ids) in &by_round {
        let ids: Vec<HouseholdId> = ids.iter().cloned().collect();
        let members = store.registry().scoped_members(&scope, round, &ids).await?;
        for id in &ids {
            let h = store.registry().scoped_household(&scope, round, id).await?;
            let mine = members
                .iter()
                .filter(|m| &m.household_id == id)
                .cloned()
                .collect();
            records.insert((round.clone(), id.clone()), (h, mine));
        }
    }
    // The id every round's household takes: the earliest round's household that keeps most.
    let keep_in = |round: &RoundLabel, target: Option<&HouseholdId>| -> HouseholdId {
        let ids = &by_round[round];
        if let Some(t) = target.filter(|t| ids.contains(*t)) {
            return t.clone();
        }
        ids.iter()
            .max_by(|a, b| {
                let na = records[&(round.clone(), (*a).clone())].1.len();
                let nb = records[&(round.clone(), (*b).clone())].1.len();
                na.cmp(&nb).then_with(|| b.cmp(a))
            })
            .expect("a round of the group has a household")
            .clone()
    };
    let first_round = by_round.keys().next().expect("a group has persons").clone();
    let target = keep_in(&first_round, None);
    let now = Utc::now();
    let mut households = Vec::new();
    let mut members_out = Vec::new();
    let mut removed: Vec<(RoundLabel, HouseholdId)> = Vec::new();
    let mut versions = Vec::new();
    let mut members_removed = 0usize;
    let mut changed: Vec<(RoundLabel, HouseholdId)> = Vec::new();
    for round in by_round.keys() {
        let keep = keep_in(round, Some(&target));
        let (mut kept, mut kept_members) = records[&(round.clone(), keep.clone())].clone();
        // The same person twice in the kept household.
        let before = kept_members.len();
        let mut unique: Vec<Member> = Vec::new();
        for m in kept_members.drain(..) {
            if !unique.iter().any(|u| same_person(u, &m)) {
                unique.push(m);
            }
        }
        let twice = before - unique.len();
        members_removed += twice;
        kept_members = unique;
        let others = by_round[round].iter().filter(|id| **id != keep).count();
        if twice == 0 && others == 0 && keep == target {
            // Nothing to change in this round (the group's person in its own household).
            continue;
        }
        for other in by_round[round].iter().filter(|id| **id != keep) {
            let (_, theirs) = &records[&(round.clone(), other.clone())];
            for m in theirs {
                if kept_members.iter().any(|k| same_person(k, m)) {
                    members_removed += 1;
                } else {
                    kept_members.push(m.clone());
                }
            }
            removed.push((round.clone(), other.clone()));
            changed.push((round.clone(), other.clone()));
        }
        if keep != target {
            // Renamed: the stored id must be free in this round.
            let taken = store
                .registry()
                .stored_keys(std::slice::from_ref(round))
                .await?
                .households
                .contains_key(&(round.clone(), target.clone()));
            if taken {
                return Err(AppError::Rule(format!(
                    "round {round} already holds another household {target}: merge those first"
                ))
                .into());
            }
            removed.push((round.clone(), keep.clone()));
            kept.household_id = target.clone();
        }
        changed.push((round.clone(), keep.clone()));
        for (i, m) in kept_members.iter_mut().enumerate() {
            m.household_id = target.clone();
            m.member_no = (i + 1) as u16;
        }
        households.push(kept);
        members_out.extend(kept_members);
    }
    for (round, id) in &changed {
        let latest = store
            .registry()
            .latest_versions(round, std::slice::from_ref(id))
            .await?;
        let (h, m) = &records[&(round.clone(), id.clone())];
        versions.push(VersionRow {
            round: round.clone(),
            household_id: id.clone(),
            version: latest.get(id).copied().unwrap_or(0) + 1,
            saved_at: now,
            saved_by: user.name.to_string(),
            source: format!("merge of duplicates {key} into {target}"),
            record: Record::of(h, m).encode(),
        });
    }
    let rounds: Vec<RoundLabel> = households.iter().map(|h| h.round.clone()).collect();
    let recorded = Recorded {
        submissions: Vec::new(),
        versions,
        removed: removed.clone(),
        review: Some(DuplicateReview {
            key: key.to_string(),
            decision: "merged".into(),
            note: format!("into {target}"),
            decided_by: user.name.to_string(),
            decided_at: now,
        }),
    };
    Ok(MergePlan {
        outcome: MergeOutcome {
            household_id: target,
            removed: removed.len(),
            members_removed,
            rounds,
        },
        removed,
        persons,
        households,
        members: members_out,
        recorded,
    })
}
