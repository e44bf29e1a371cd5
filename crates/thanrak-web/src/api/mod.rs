//! The JSON API under `/api/v1`, a module per feature; the OpenAPI document is assembled from
//! the handlers' annotations as their routers are merged.

mod agencies;
mod areas;
mod audit;
mod boundaries;
pub(crate) mod cases;
mod dto;
pub(crate) mod economy;
mod exports;
pub(crate) mod figures;
pub(crate) mod followup;
pub(crate) mod forms;
pub(crate) mod help;
mod households;
mod imports;
mod jobs;
mod me;
pub(crate) mod plan;
mod records;
mod rounds;
pub(crate) mod targets;
mod tokens;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use serde::Deserialize;
use thanrak_app::access::Paging;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::AppState;

/// The API's description; the paths are added by the feature routers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "thanrak API",
        description = "Household survey data for precise, area-based poverty alleviation. \
                       Every route needs a session cookie (log in at /login) or an API token \
                       (`thanrak user token NAME`) sent as `Authorization: Bearer TOKEN`. \
                       Errors are `{code, message}`; lists are paged with `page` and `per_page` \
                       (at most 500) and return `{items, page, per_page, total}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "areas", description = "Provinces, districts, subdistricts and villages"),
        (name = "agencies", description = "The catalogue of cooperating agencies: read by everyone signed in, written by admins"),
        (name = "rounds", description = "Survey rounds"),
        (name = "households", description = "Households and members, filtered by the caller's areas and masked by role"),
        (name = "cases", description = "Referral cases: a household's need referred to an agency, moved through the workflow by the side whose move it is"),
        (name = "audit", description = "Who viewed which personal data, when (admins only)"),
        (name = "tokens", description = "API tokens listed and revoked one by one (admins only)"),
        (name = "account", description = "The caller's own account"),
        (name = "figures", description = "Poverty index, groups and capitals by area and group; small cells suppressed"),
        (name = "imports", description = "Uploading CSV / XLSX files: checked row by row, loaded all or nothing by a background job, then scored"),
        (name = "jobs", description = "Background jobs (imports, scoring) with their progress, result or error"),
        (name = "exports", description = "A round's households or members as CSV / XLSX in the import format, for roles that see personal data; audited"),
        (name = "targets", description = "Target lists of methodology §5: households ranked with what each lacks and which help fits"),
        (name = "help", description = "The logbook of help given: episodes recorded by agency, kind and the dimension or capital they address, and their sums by area"),
        (name = "plans", description = "What the provincial policy meeting plans and follows: strategic areas ranked, partner universities, model areas with their roadmaps, meetings with their action items"),
        (name = "economy", description = "The grassroots economy: the registry of enterprises with their grassroots score, value chains, and the optimal matching of poor workers to open positions"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// Every API route under `/api/v1`, with the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(areas::router())
        .merge(agencies::router())
        .merge(rounds::router())
        .merge(households::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(boundaries::router())
        .merge(cases::router())
        .merge(me::router())
        .merge(figures::router())
        .merge(followup::router())
        .merge(plan::router())
        .merge(targets::router())
        .merge(imports::router())
        .merge(jobs::router())
        .merge(exports::router())
        .merge(forms::router())
        .merge(records::router())
        .merge(help::router())
        .merge(economy::router())
        .fallback(crate::error::not_found)
        .layer(axum::middleware::from_fn(json_objects_only))
        .layer(axum::middleware::map_response(json_no_store));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

/// What every operation may answer besides its own responses, with the same error body: a
/// request that does not follow this document (400), no credentials (401), and a request that
/// follows it but breaks a rule the document cannot say, such as "a meeting's items lie in its
/// province" (422); the message says which. Added to the document once its paths are known.
pub fn complete_document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    constrain_values(doc);
    describe_upload(doc);
    const ANSWERS: [(&str, &str); 4] = [
        (
            "400",
            "The request does not follow this document: a malformed JSON body, a value of the \
             wrong type, outside its pattern, list or range",
        ),
        ("401", "Not logged in"),
        (
            "404",
            "Something the request names does not exist, or not for the caller (a round, an \
             area, an agency, a record)",
        ),
        (
            "422",
            "The request follows this document but breaks a rule it cannot say (the message \
             says which)",
        ),
    ];
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for (code, text) in ANSWERS {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| {
                        RefOr::T(
                            ResponseBuilder::new()
                                .description(text)
                                .content(
                                    "application/json",
                                    ContentBuilder::new()
                                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                                        .build(),
                                )
                                .build(),
                        )
                    });
            }
        }
    }
}

/// The import's multipart body, which the route's attributes cannot describe: one or more
/// parts named `files`, each a CSV or XLSX file.
fn describe_upload(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    use utoipa::openapi::{ContentBuilder, RefOr};
    let Some(op) = doc
        .paths
        .paths
        .get_mut("/api/v1/imports")
        .and_then(|item| item.post.as_mut())
    else {
        return;
    };
    let file = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
        .description(Some(
            "A households or members table: CSV (UTF-8) or XLSX, named with its extension",
        ));
    // Parts of any other name are refused.
    let schema = ObjectBuilder::new()
        .property("files", ArrayBuilder::new().items(file).min_items(Some(1)))
        .required("files")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .build();
    if let Some(RefOr::T(body)) = &mut op.request_body {
        body.content.insert(
            "multipart/form-data".to_string(),
            RefOr::T(ContentBuilder::new().schema(Some(schema)).build()),
        );
        body.required = Some(utoipa::openapi::Required::True);
    }
}

/// The values the API parses the same way everywhere, constrained in the document by their
/// name, so that one rule holds for every route (a name's meaning never differs between routes):
/// area codes, round labels, household ids, dates, paging. A value that fits is accepted or
/// answered "not found" (an area or round that does not exist); one that does not is a 400. An
/// optional value may also be empty (an empty query value, as a form sends it, is none).
fn constrain_values(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{AnyOfBuilder, Object, ObjectBuilder, Schema, Type};
    use utoipa::openapi::RefOr;
    const AREA: &str = "[0-9]{2}([0-9]{2}([0-9]{2}(0[1-9]|[1-9][0-9])?)?)?";
    // Letters and digits of any script (`\\w`, as `char::is_alphanumeric` and `_`), and the
    // few marks the domain allows.
    const ROUND: &str = "[\\w.-]{1,32}";
    const HOUSEHOLD: &str = "[\\w./-]{1,64}";
    const NAME: &str = "[A-Za-z0-9._@-]{1,32}";
    // Below the logbook's limit of a billion baht.
    const BAHT: &str = "[0-9]{1,9}(\\.[0-9]{1,2})?";
    /// A date as the API writes it (the parser takes Buddhist Era and D/M/YYYY too): years 1900
    /// to 2099, and days to the 28th in the pattern, so that every value it admits is a day of
    /// the calendar.
    const DATE: &str = "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])";
    const NEED: &str = "[a-z0-9_]{1,32}";
    // Values checked against a list of the domain's (the codes of its labelled enums), by the
    // route (for parameters) or the body (for fields) they belong to, and the field's name.
    let levels = thanrak_core::AreaLevel::CODES;
    let lists: Vec<(&str, &str, Vec<&str>)> = vec![
        ("/areas/ranking", "level", levels.to_vec()),
        ("/boundaries", "level", levels.to_vec()),
        (
            "/cases",
            "state",
            thanrak_core::case::CaseState::CODES.to_vec(),
        ),
        ("/change", "by", levels.to_vec()),
        ("/change", "unit", vec!["person", "household"]),
        ("/figures", "unit", vec!["person", "household"]),
        (
            "/figures",
            "by",
            levels
                .iter()
                .copied()
                .chain(["group", "head_sex", "all"])
                .collect(),
        ),
        (
            "/enterprises",
            "kind",
            thanrak_core::economy::EnterpriseKind::CODES.to_vec(),
        ),
        (
            "/unplaced",
            "reason",
            thanrak_core::economy::matching::Unplaced::CODES.to_vec(),
        ),
        ("/export", "format", vec!["csv", "xlsx"]),
        ("/export", "table", vec!["households", "members"]),
        (
            "/targets",
            "group",
            thanrak_core::methodology::Group::CODES.to_vec(),
        ),
        (
            "MoveBody",
            "move",
            thanrak_core::case::CaseMove::CODES.to_vec(),
        ),
        (
            "ItemMoveBody",
            "to",
            thanrak_core::plan::WorkState::CODES.to_vec(),
        ),
        (
            "StateBody",
            "state",
            thanrak_core::plan::WorkState::CODES.to_vec(),
        ),
        (
            "ActivityBody",
            "state",
            thanrak_core::plan::WorkState::CODES.to_vec(),
        ),
        (
            "ActivityBody",
            "heading",
            thanrak_core::plan::Heading::CODES.to_vec(),
        ),
        (
            "HelpBody",
            "kind",
            thanrak_core::help::HelpKind::CODES.to_vec(),
        ),
        (
            "GroupReferralBody",
            "group",
            thanrak_core::methodology::Group::CODES.to_vec(),
        ),
        ("ReportBody", "format", vec!["pdf", "xlsx"]),
        ("/duplicates", "evidence", vec!["national_id", "name_birth"]),
    ];
    let listed = |owner: &str, name: &str| -> Option<Vec<&str>> {
        lists
            .iter()
            .find(|(o, n, _)| *n == name && owner.ends_with(o))
            .map(|(_, _, v)| v.clone())
    };
    // `owner`: the route's path (parameters) or the body's name (fields); `in_query`: a query or
    // path parameter (where `from` and `to` are rounds), not a body field.
    let constrain = |owner: &str, name: &str, required: bool, in_query: bool, o: &mut Object| {
        let pattern = |p: &str| {
            Some(if required {
                format!("^{p}$")
            } else {
                format!("^({p})?$")
            })
        };
        // Integers within what the server's types hold (a number past them would be refused
        // before any rule is checked): 32-bit ones (`u32` has a minimum of 0) or 64-bit.
        if matches!(
            o.schema_type,
            utoipa::openapi::schema::SchemaType::Type(Type::Integer)
        ) {
            let int32 = matches!(
                o.format,
                Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                    utoipa::openapi::schema::KnownFormat::Int32
                ))
            );
            let unsigned = o.minimum.is_some();
            if o.maximum.is_none() {
                o.maximum = Some(match (int32, unsigned) {
                    (true, true) => u32::MAX.into(),
                    (true, false) => i32::MAX.into(),
                    (false, true) => u64::MAX.into(),
                    (false, false) => i64::MAX.into(),
                });
            }
            if o.minimum.is_none() {
                o.minimum = Some(if int32 {
                    i32::MIN.into()
                } else {
                    i64::MIN.into()
                });
            }
        }
        if let Some(values) = listed(owner, name) {
            let mut values: Vec<serde_json::Value> = values.into_iter().map(Into::into).collect();
            if !required {
                values.push("".into());
            }
            o.enum_values = Some(values);
            return;
        }
        match name {
            "code" if owner.contains("/areas/") => o.pattern = pattern(AREA),
            // A model area is a district, subdistrict or village; a meeting's a province.
            "area" if owner.contains("/model-areas/") => {
                o.pattern = pattern("[0-9]{4}([0-9]{2}([0-9]{2})?)?")
            }
            "province" => o.pattern = pattern("[0-9]{2}"),
            "area" | "parent" => o.pattern = pattern(AREA),
            "round" | "since_round" | "in_need_round" => o.pattern = pattern(ROUND),
            "from" | "to" if in_query => o.pattern = pattern(ROUND),
            "household_id" => o.pattern = pattern(HOUSEHOLD),
            // A household's help is looked up by any id: one that cannot exist is not found,
            // so the document leaves it free rather than claim a pattern it does not enforce.
            "id" if owner.ends_with("households/{id}/help") => {}
            "id" if owner.contains("households/{id}") => o.pattern = pattern(HOUSEHOLD),
            "agency" | "lead_agency" | "code" | "partner" | "methodology" => {
                o.pattern = pattern(NAME)
            }
            "budget_baht" | "value_baht" => o.pattern = pattern(BAHT),
            "need" | "indicator" | "needs" => o.pattern = pattern(NEED),
            // Free text, as each body's rules check it: within its length, without control
            // characters where the rules refuse them, and saying something where required.
            "what" | "title" | "name_th" | "name_en" | "contact" | "note" | "mission"
            | "decisions" => {
                // (longest, control characters refused: "plan" keeps tabs and line breaks,
                // "agency" line breaks only, "none" refuses none)
                let (max, control) = match (owner, name) {
                    ("AgencyBody", "mission" | "contact") => (1000, "agency"),
                    ("AgencyBody", _) => (200, "agency"),
                    ("CommentBody", _) => (1000, "none"),
                    ("NoteBody", _) => (500, "all"),
                    ("HelpBody", _) => (thanrak_core::help::MAX_WHAT_CHARS, "none"),
                    ("ItemMoveBody", _) => (thanrak_core::plan::MAX_TEXT_CHARS, "none"),
                    ("ActionItemBody", "what") => (thanrak_core::plan::MAX_TITLE_CHARS * 2, "plan"),
                    (_, "note" | "decisions")
                        if matches!(owner, "ModelAreaBody" | "MeetingBody") =>
                    {
                        (thanrak_core::plan::MAX_TEXT_CHARS, "plan")
                    }
                    (_, "title" | "name_th" | "name_en" | "contact")
                        if matches!(owner, "PartnerDto" | "ActivityBody" | "MeetingBody") =>
                    {
                        (thanrak_core::plan::MAX_TITLE_CHARS, "plan")
                    }
                    // Case notes: any text.
                    _ => return,
                };
                let control = match control {
                    "all" => "\\u0000-\\u001f\\u007f-\\u009f",
                    "agency" => "\\u0000-\\u0009\\u000b-\\u001f\\u007f-\\u009f",
                    "plan" => "\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f",
                    _ => "",
                };
                let said = required && (name != "note" || owner == "CommentBody");
                o.pattern = match (said, control.is_empty()) {
                    (true, true) => Some("\\S".into()),
                    (true, false) => Some(format!("^[^{control}]*[^\\s{control}][^{control}]*$")),
                    (false, true) => None,
                    (false, false) => Some(format!("^[^{control}]*$")),
                };
                o.max_length = Some(max);
            }
            "enterprises" => o.pattern = pattern("[0-9]{1,18}"),
            "cases" => o.minimum = Some(1.into()),
            "addresses" => {
                let mut codes: Vec<serde_json::Value> = thanrak_core::help::Addresses::codes()
                    .into_iter()
                    .map(Into::into)
                    .collect();
                codes.push("".into());
                o.enum_values = Some(codes);
            }
            "page" => {
                o.minimum = Some(1.into());
                o.maximum = Some(thanrak_app::access::MAX_PAGE.into());
            }
            "per_page" => {
                o.minimum = Some(1.into());
                o.maximum = Some(thanrak_app::access::MAX_PER_PAGE.into());
            }
            "persistent" => {
                o.minimum = Some(2.into());
                o.maximum = Some(20.into());
            }
            "max_km" => {
                o.minimum = Some(1.into());
                o.maximum = Some(1000.into());
            }
            n if n.ends_with("_on") || n == "reference" => {
                o.format = None;
                o.pattern = pattern(DATE);
            }
            _ => {}
        }
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for p in op.parameters.iter_mut().flatten() {
                if let RefOr::T(p) = p {
                    let required = matches!(p.required, utoipa::openapi::Required::True);
                    if let Some(RefOr::T(Schema::Object(o))) = &mut p.schema {
                        constrain(path, &p.name, required, true, o);
                    }
                    // An empty query value is no value (crate::error::Query): said for the
                    // numbers and yes/no values, which a schema of their own type would refuse.
                    let typed = matches!(
                        &p.schema,
                        Some(RefOr::T(Schema::Object(o)))
                            if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                                && !required
                                && !matches!(o.schema_type, utoipa::openapi::schema::SchemaType::Type(Type::String))
                    );
                    if typed {
                        if let Some(RefOr::T(own)) = p.schema.take() {
                            let empty = ObjectBuilder::new()
                                .schema_type(Type::String)
                                .max_length(Some(0))
                                .build();
                            p.schema = Some(RefOr::T(Schema::AnyOf(
                                AnyOfBuilder::new().item(own).item(empty).build(),
                            )));
                        }
                    }
                }
            }
        }
    }
    if let Some(components) = &mut doc.components {
        for (body, schema) in components.schemas.iter_mut() {
            // Only what callers send: the bodies.
            if !body.ends_with("Body") && body != "PartnerDto" {
                continue;
            }
            if let RefOr::T(Schema::Object(o)) = schema {
                let required = o.required.clone();
                for (name, prop) in o.properties.iter_mut() {
                    match prop {
                        RefOr::T(Schema::Object(p)) => {
                            constrain(body, name, required.contains(name), false, p)
                        }
                        // A list's items: each one a value of the name (an area, a household).
                        RefOr::T(Schema::Array(a)) => {
                            // Lists a body must fill: the agencies at a meeting, the areas a
                            // partner manages.
                            if matches!(
                                (body.as_str(), name.as_str()),
                                ("MeetingBody", "agencies") | ("PartnerDto", "areas")
                            ) {
                                a.min_items = Some(1);
                            }
                            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) =
                                &mut a.items
                            {
                                if let RefOr::T(Schema::Object(p)) = item.as_mut() {
                                    let one = match name.as_str() {
                                        "areas" => "area",
                                        "agencies" => "agency",
                                        "households" => "household_id",
                                        other => other,
                                    };
                                    // The catalogue's lists leave empty entries out; a
                                    // partner manages provinces, districts or subdistricts.
                                    let required = body != "AgencyBody";
                                    constrain(body, one, required, false, p);
                                    if (body.as_str(), one) == ("PartnerDto", "area") {
                                        p.pattern = Some("^[0-9]{2}([0-9]{2}([0-9]{2})?)?$".into());
                                    }
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// The most bytes a JSON body may have (a meeting with its items is a few kilobytes).
const MAX_JSON_BODY: usize = 1 << 20;

/// Every JSON body of the API is an object: one sent as an array (which the decoder would read
/// field by field in order) or a bare value is refused before a handler reads it.
async fn json_objects_only(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Result<Response, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return Ok(next.run(req).await);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_JSON_BODY)
        .await
        .map_err(|_| ApiError::invalid(format!("a JSON body is at most {MAX_JSON_BODY} bytes")))?;
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(ApiError::invalid("the body must be a JSON object"));
    }
    // A whole number may be written `3.0` (JSON does not tell the two apart, and the document's
    // integers admit it): such numbers are read as integers.
    let bytes = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) => {
            if whole_numbers(&mut v) {
                serde_json::to_vec(&v)
                    .map(axum::body::Bytes::from)
                    .unwrap_or(bytes)
            } else {
                bytes
            }
        }
        Err(_) => bytes,
    };
    Ok(next
        .run(axum::extract::Request::from_parts(
            parts,
            axum::body::Body::from(bytes),
        ))
        .await)
}

/// Turns every float of `v` with no fraction (and within i64) into an integer; whether any was.
fn whole_numbers(v: &mut serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                *v = serde_json::Value::from(f as i64);
                true
            } else {
                false
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().fold(false, |a, x| whole_numbers(x) | a)
        }
        serde_json::Value::Object(m) => m.values_mut().fold(false, |a, x| whole_numbers(x) | a),
        _ => false,
    }
}

/// API answers may hold personal data: no cache may keep them.
async fn json_no_store(mut res: Response) -> Response {
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    res
}

/// `page` and `per_page` of a list.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<u32>,
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    per_page: Option<u32>,
}

impl PageQuery {
    fn paging(self) -> Result<Paging, ApiError> {
        Ok(Paging::new(self.page, self.per_page)?)
    }
}
