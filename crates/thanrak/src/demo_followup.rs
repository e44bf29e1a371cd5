//! The demo's follow-up across rounds and the policy meeting (issue 12), loaded once on a fresh
//! database: help recorded against the first round for some of Lampang's poor households (so
//! that the change page sets the helped beside the others), two partner universities, Lampang's
//! first-ranked subdistrict as a model area with a roadmap under every heading, and two
//! meetings of the province — the earlier one's action items in every state, one overdue, some
//! naming the demo's referral cases. Deterministic: no randomness, dates counted from today.

use chrono::Duration;
use thanrak_app::db::Store;
use thanrak_app::help::{record_help, thai_today, HelpRequest};
use thanrak_app::targeting::TargetQuery;
use thanrak_app::{access, plan, AppError};
use thanrak_core::help::{Addresses, HelpKind};
use thanrak_core::identity::AgencyCode;
use thanrak_core::plan::{ActionItem, Activity, Heading, Meeting, ModelArea, Partner, WorkState};
use thanrak_core::strategy::Weights;
use thanrak_core::{AreaCode, AreaLevel, RoundLabel};

fn failed(what: &str) -> impl Fn(access::AccessError) -> AppError + '_ {
    move |e| match e {
        access::AccessError::App(e) => e,
        other => AppError::Invalid(format!("demo {what}: {other}")),
    }
}

/// Loads the demo's follow-up, unless partners are registered already. Returns what it did.
pub(crate) async fn load(store: &Store) -> Result<Option<String>, AppError> {
    if !plan::partners(store).await?.is_empty() {
        return Ok(None);
    }
    let admin = thanrak_app::policy::command_line_user();
    let users = access::list_users(store).await?;
    let Some(lampang) = users.iter().find(|u| u.name.as_str() == "lampang").cloned() else {
        return Ok(None);
    };
    let round_1 = RoundLabel::parse(thanrak_demo::ROUND_1).expect("the demo's round");
    let round_2 = RoundLabel::parse(thanrak_demo::ROUND_2).expect("the demo's round");
    let today = thai_today();
    let province = AreaCode::parse("52").expect("Lampang");

    // Help given between the rounds, against the first round, to a third of Lampang's
    // households in hardship then.
    let lm = thanrak_app::scoring::default_methodology();
    let poor = thanrak_app::targeting::target_households(
        store,
        &lm,
        &admin,
        &TargetQuery {
            round: round_1.clone(),
            area: Some(province),
            group: Some("hardship".into()),
            indicator: None,
            need: None,
            persistent: None,
        },
    )
    .await
    .map_err(failed("help"))?;
    let mut poor: Vec<_> = poor.into_iter().map(|(id, _, _)| id).collect();
    poor.sort();
    let kinds = [
        (
            "codi",
            HelpKind::Housing,
            "physical",
            "ซ่อมบ้านตามโครงการบ้านมั่นคงชนบท",
            18_000,
        ),
        (
            "osmep",
            HelpKind::Training,
            "financial",
            "อบรมอาชีพและการทำบัญชีครัวเรือน",
            3_500,
        ),
        (
            "social_development",
            HelpKind::Cash,
            "income",
            "เงินสงเคราะห์ครอบครัวยากจน",
            3_000,
        ),
    ];
    let mut helped = 0;
    for (i, id) in poor
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .take(150)
    {
        let (agency, kind, addresses, what, baht) = kinds[i % kinds.len()];
        let req = HelpRequest {
            round: round_1.clone(),
            household_id: id.clone(),
            agency: AgencyCode::parse(agency).expect("a catalogue agency"),
            kind,
            addresses: Addresses::parse(addresses).expect("a dimension or capital"),
            what: what.into(),
            value_satang: baht * 100,
            // Between the two rounds' surveys (the second was surveyed June–August 2026).
            given_on: chrono::NaiveDate::from_ymd_opt(2025, 10, 1).expect("a date")
                + Duration::days((i % 180) as i64),
            case_id: None,
        };
        record_help(store, &lampang, &req)
            .await
            .map_err(failed("help"))?;
        helped += 1;
    }

    // Partner universities: Lampang's whole province, one district of Roi Et.
    for p in [
        Partner::new(
            "lpru",
            "มหาวิทยาลัยราชภัฏลำปาง",
            "Lampang Rajabhat University",
            "ศูนย์ขับเคลื่อนการแก้ปัญหาความยากจน 054-000-000",
            &["52"],
        ),
        Partner::new(
            "reru",
            "มหาวิทยาลัยราชภัฏร้อยเอ็ด",
            "Roi Et Rajabhat University",
            "",
            &["4501"],
        ),
    ] {
        let p = p.map_err(|e| AppError::Invalid(e.to_string()))?;
        plan::save_partner(store, &admin, &p)
            .await
            .map_err(failed("partners"))?;
    }

    // Lampang's first-ranked subdistrict becomes a model area.
    let ranking = thanrak_app::strategy::rank_areas(
        store,
        &thanrak_app::area_figures::FiguresCache::new(),
        &lm,
        &admin,
        &thanrak_app::strategy::RankQuery {
            round: Some(round_2.clone()),
            level: AreaLevel::Subdistrict,
            area: Some(province),
            weights: Weights::default(),
            reference: today,
            top: Some(1),
        },
    )
    .await
    .map_err(failed("ranking"))?;
    let Some(first) = ranking.rows.first() else {
        return Ok(Some(format!(
            "{helped} households helped between the rounds"
        )));
    };
    let sub = first.ranked.candidate.area;
    let model = ModelArea::new(
        &sub.to_string(),
        Some("lpru"),
        today - Duration::days(75),
        "อันดับหนึ่งของจังหวัดจากการจัดลำดับพื้นที่ยุทธศาสตร์: สัดส่วนครัวเรือนอยู่ลำบากและอยู่ยากสูงสุด \
         ครัวเรือนส่วนใหญ่ขาดทุนการเงิน มีกลุ่มทอผ้าและเซรามิกที่รับแรงงานเพิ่มได้",
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    plan::choose_model_area(store, &lampang, &model)
        .await
        .map_err(failed("model area"))?;
    let (households, _) = store
        .registry()
        .scoped_households(
            &thanrak_core::identity::Scope::Areas(vec![sub]),
            &round_2,
            None,
            0,
            6,
        )
        .await?;
    let ids: Vec<String> = households
        .iter()
        .map(|h| h.household_id.to_string())
        .collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let enterprises = store
        .economy()
        .page(
            &thanrak_core::identity::Scope::All,
            Some(&sub.ancestor(AreaLevel::District).unwrap_or(sub)),
            &Default::default(),
            1,
            3,
        )
        .await?;
    let ents: Vec<String> = enterprises
        .items
        .iter()
        .map(|e| e.id().to_string())
        .collect();
    let ents: Vec<&str> = ents.iter().map(String::as_str).collect();
    let d = |days: i64| Some(today + Duration::days(days));
    type Planned<'a> = (
        Heading,
        &'a str,
        &'a str,
        i64,
        i64,
        i64,
        WorkState,
        bool,
        bool,
    );
    let roadmap: [Planned; 6] = [
        (
            Heading::CommunityProcess,
            "เวทีประชาคมจัดทำแผนชุมชนและกลุ่มออมทรัพย์",
            "pmua",
            40_000,
            -70,
            -20,
            WorkState::Done,
            true,
            false,
        ),
        (
            Heading::Marketing,
            "ตลาดออนไลน์และงานแสดงสินค้าผ้าทอ",
            "osmep",
            120_000,
            -30,
            60,
            WorkState::UnderWay,
            false,
            true,
        ),
        (
            Heading::BasicImprovements,
            "ซ่อมแซมบ้านและระบบน้ำดื่มสะอาด",
            "codi",
            350_000,
            -45,
            90,
            WorkState::UnderWay,
            true,
            false,
        ),
        (
            Heading::Processing,
            "โรงแปรรูปข้าวฮางและบรรจุภัณฑ์",
            "agriculture_office",
            250_000,
            15,
            180,
            WorkState::Planned,
            false,
            true,
        ),
        (
            Heading::Tourism,
            "เส้นทางท่องเที่ยวชุมชนเซรามิกและทอผ้า",
            "dasta",
            80_000,
            30,
            200,
            WorkState::Planned,
            false,
            true,
        ),
        (
            Heading::Marketing,
            "ร้านค้าชุมชนในตลาดนัดอำเภอ",
            "local_government",
            20_000,
            -60,
            -30,
            WorkState::Dropped,
            false,
            false,
        ),
    ];
    for (heading, title, agency, baht, from, to, state, with_households, with_enterprises) in
        roadmap
    {
        let a = Activity::new(
            heading,
            title,
            agency,
            baht * 100,
            d(from),
            d(to),
            state,
            if with_households { &ids } else { &[] },
            if with_enterprises { &ents } else { &[] },
        )
        .map_err(|e| AppError::Invalid(e.to_string()))?;
        plan::add_activity(store, &lampang, &sub, &a)
            .await
            .map_err(failed("roadmap"))?;
    }

    // Two meetings of the province: the earlier one's items followed up since.
    let cases = thanrak_app::cases::list_cases(
        store,
        &thanrak_app::area_figures::FiguresCache::new(),
        &admin,
        &Default::default(),
        access::Paging::new(Some(1), Some(3))?,
    )
    .await
    .map_err(failed("meetings"))?;
    let case_ids: Vec<i64> = cases.items.iter().map(|c| c.id).collect();
    let district = sub.ancestor(AreaLevel::District).unwrap_or(province);
    let earlier = Meeting::new(
        "52",
        today - Duration::days(62),
        "ประชุมคณะทำงานขับเคลื่อนการแก้ไขปัญหาความยากจนจังหวัดลำปาง ครั้งที่ 4/2569",
        &[
            "pmua",
            "codi",
            "dasta",
            "osmep",
            "social_development",
            "local_government",
        ],
        "1) ให้ส่งต่อครัวเรือนอยู่ลำบากที่ยังไม่ได้รับสวัสดิการทั้งหมดภายในสองเดือน \
         2) เลือกตำบลต้นแบบหนึ่งตำบลและจัดทำแผนที่นำทาง 3) ให้ อพท. สำรวจเส้นทางท่องเที่ยวชุมชน",
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let item = |what: &str, agency: &str, area: &AreaCode, due: i64, cases: &[i64]| {
        ActionItem::new(&province, what, agency, &area.to_string(), d(due), cases)
            .map_err(|e| AppError::Invalid(e.to_string()))
    };
    let items = vec![
        item(
            "ส่งต่อครัวเรือนอยู่ลำบากที่ยังไม่ได้รับสวัสดิการให้ พมจ.",
            "social_development",
            &province,
            -10,
            &case_ids[..case_ids.len().min(2)],
        )?,
        item("จัดทำแผนที่นำทางตำบลต้นแบบ", "pmua", &sub, -20, &[])?,
        item("สำรวจเส้นทางท่องเที่ยวชุมชนเซรามิก", "dasta", &district, -5, &[])?,
        item(
            "ซ่อมแซมบ้านครัวเรือนอยู่ลำบาก 20 หลัง",
            "codi",
            &sub,
            45,
            &case_ids[case_ids.len().min(2)..],
        )?,
        item(
            "จัดตลาดนัดสินค้าชุมชนประจำเดือน",
            "local_government",
            &district,
            -30,
            &[],
        )?,
    ];
    let first_id = plan::record_meeting(store, &lampang, &earlier, &items)
        .await
        .map_err(failed("meetings"))?;
    let recorded = plan::meeting(store, &admin, first_id).await?;
    let moves: [(usize, &[WorkState], &str); 4] = [
        (
            0,
            &[WorkState::UnderWay, WorkState::Done],
            "ส่งต่อครบ 42 ครัวเรือนแล้ว",
        ),
        (
            1,
            &[WorkState::UnderWay, WorkState::Done],
            "แผนผ่านเวทีประชาคมแล้ว",
        ),
        (3, &[WorkState::UnderWay], "ซ่อมแล้ว 8 หลัง"),
        (4, &[WorkState::Dropped], "ย้ายไปรวมกับตลาดนัดของอำเภอ"),
    ];
    for (k, states, note) in moves {
        let id = recorded.items[k].id;
        for s in states {
            let current = store.plan().item(id).await?.map_or(1, |i| i.version);
            plan::move_action_item(store, &admin, id, current, *s, note)
                .await
                .map_err(failed("meetings"))?;
        }
    }
    let later = Meeting::new(
        "52",
        today - Duration::days(3),
        "ประชุมคณะทำงานขับเคลื่อนการแก้ไขปัญหาความยากจนจังหวัดลำปาง ครั้งที่ 5/2569",
        &[
            "pmua",
            "codi",
            "osmep",
            "social_development",
            "employment_office",
        ],
        "1) ขยายการจับคู่งานให้ครัวเรือนอยู่ลำบากในตำบลต้นแบบ 2) ติดตามข้อสั่งการที่ยังไม่แล้วเสร็จ",
    )
    .map_err(|e| AppError::Invalid(e.to_string()))?;
    let items = vec![
        item(
            "จับคู่แรงงานครัวเรือนยากจนกับวิสาหกิจชุมชนในตำบลต้นแบบ",
            "employment_office",
            &sub,
            60,
            &[],
        )?,
        item(
            "ติดตามการสำรวจเส้นทางท่องเที่ยวที่เลยกำหนด",
            "dasta",
            &district,
            30,
            &[],
        )?,
    ];
    plan::record_meeting(store, &lampang, &later, &items)
        .await
        .map_err(failed("meetings"))?;
    Ok(Some(format!(
        "{helped} households helped between the rounds, 2 partner universities, model area {sub} with 6 activities, 2 meetings"
    )))
}
