//! The synthesis over REST: outcomes, commitments' progress, counts, clusters and the report.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::domain::synthesis::StatsDimension;
use crate::error::{AppError, FieldError};
use crate::http::lang::RequestLang;
use crate::service::contributions::FilterParams;
use crate::service::report::{self as synthesis_report, ReportFormat};
use crate::service::synthesis::{self, Cluster, NewOutcome, NewProgress, Outcome, ProgressReport, StatsRow};
use crate::state::AppState;

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")))
}

/// Records an outcome of the discussions (`review` or `admin`).
#[utoipa::path(post, path = "/api/v1/outcomes", tag = "synthesis", request_body = NewOutcome,
    responses((status = 201, body = Outcome), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = ["review"])))]
#[post("/outcomes")]
pub async fn create_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let input: NewOutcome = parse(&body)?;
    let o = state.db.run(move |conn| synthesis::create_outcome(conn, &caller, &input)).await?;
    Ok(HttpResponse::Created().insert_header(("Location", format!("/api/v1/outcomes/{}", o.id))).json(o))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsultationParam {
    /// The consultation's slug (default: the only one).
    pub consultation: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OutcomeList {
    pub data: Vec<Outcome>,
}

/// Outcomes of a consultation (drafts only to the secretariat).
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "synthesis", params(ConsultationParam),
    responses((status = 200, body = OutcomeList)), security(("bearer" = ["contributions:read"])))]
#[get("/outcomes")]
pub async fn list_outcomes(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<ConsultationParam>,
) -> Result<HttpResponse, AppError> {
    let slug = q.into_inner().consultation;
    let data = state.db.run(move |conn| synthesis::list_outcomes(conn, &caller, slug.as_deref())).await?;
    Ok(HttpResponse::Ok().json(OutcomeList { data }))
}

#[utoipa::path(get, path = "/api/v1/outcomes/{id}", tag = "synthesis", params(("id" = String, Path)),
    responses((status = 200, body = Outcome), (status = 404, body = crate::error::Problem)), security(("bearer" = ["contributions:read"])))]
#[get("/outcomes/{id}")]
pub async fn get_outcome(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let o = state.db.run(move |conn| synthesis::get_outcome(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(o))
}

/// draft → adopted.
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/adopt", tag = "synthesis", params(("id" = String, Path)),
    responses((status = 200, body = Outcome), (status = 409, body = crate::error::Problem)), security(("bearer" = ["review"])))]
#[post("/outcomes/{id}/adopt")]
pub async fn adopt(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let o = state.db.run(move |conn| synthesis::advance_outcome(conn, &caller, &id, false)).await?;
    Ok(HttpResponse::Ok().json(o))
}

/// adopted → transmitted (to the co-facilitators of the Global Compact).
#[utoipa::path(post, path = "/api/v1/outcomes/{id}/transmit", tag = "synthesis", params(("id" = String, Path)),
    responses((status = 200, body = Outcome), (status = 409, body = crate::error::Problem)), security(("bearer" = ["review"])))]
#[post("/outcomes/{id}/transmit")]
pub async fn transmit(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let o = state.db.run(move |conn| synthesis::advance_outcome(conn, &caller, &id, true)).await?;
    Ok(HttpResponse::Ok().json(o))
}

/// The owner reports progress on a commitment.
#[utoipa::path(post, path = "/api/v1/contributions/{id}/progress", tag = "synthesis", params(("id" = String, Path)),
    request_body = NewProgress,
    responses((status = 201, body = ProgressReport), (status = 422, body = crate::error::Problem)), security(("bearer" = ["contributions:write"])))]
#[post("/contributions/{id}/progress")]
pub async fn report_progress(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: crate::http::body::Body,
) -> Result<HttpResponse, AppError> {
    let input: NewProgress = parse(&body)?;
    let id = id.into_inner();
    let p = state.db.run(move |conn| synthesis::report_progress(conn, &caller, &id, &input)).await?;
    Ok(HttpResponse::Created().json(p))
}

#[derive(Serialize, ToSchema)]
pub struct ProgressList {
    pub data: Vec<ProgressReport>,
}

/// A commitment's progress reports, oldest first.
#[utoipa::path(get, path = "/api/v1/contributions/{id}/progress", tag = "synthesis", params(("id" = String, Path)),
    responses((status = 200, body = ProgressList), (status = 404, body = crate::error::Problem)), security(("bearer" = ["contributions:read"])))]
#[get("/contributions/{id}/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let data = state.db.run(move |conn| synthesis::progress(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(ProgressList { data }))
}

/// The grouping of `/stats`; the filters of `/contributions` narrow what is counted.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// Comma-separated dimensions: kind, status, region, org_kind, session, segment, group, theme, organisation.
    #[param(example = "kind,region")]
    pub group_by: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsList {
    pub data: Vec<StatsRow>,
}

fn dimensions(text: Option<&str>) -> Result<Vec<StatsDimension>, AppError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|e: crate::domain::kinds::UnknownValue| {
                AppError::Validation(vec![FieldError::new("group_by", e.to_string())])
            })
        })
        .collect()
}

/// Counts of the contributions the caller may see, grouped by up to three dimensions.
#[utoipa::path(get, path = "/api/v1/stats", tag = "synthesis", params(StatsParams, FilterParams),
    responses((status = 200, body = StatsList)), security(("bearer" = ["contributions:read"])))]
#[get("/stats")]
pub async fn stats(
    state: web::Data<AppState>,
    caller: Caller,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, AppError> {
    let bad = |e: serde_urlencoded::de::Error| AppError::BadRequest(format!("invalid query string: {e}"));
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).map_err(bad)?;
    let group_by = pairs.iter().position(|(k, _)| k == "group_by").map(|i| pairs.remove(i).1);
    let params: FilterParams =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(&pairs).unwrap_or_default()).map_err(bad)?;
    if params.limit.is_some() || params.cursor.is_some() {
        return Err(AppError::BadRequest("stats take no limit or cursor".into()));
    }
    let dims = dimensions(group_by.as_deref())?;
    let filter = params.to_filter()?;
    let data = state
        .db
        .run_admitted(crate::db::Admission::of(&filter), move |conn| synthesis::stats(conn, &caller, &filter, &dims))
        .await?;
    Ok(HttpResponse::Ok().json(StatsList { data }))
}

#[derive(Serialize, ToSchema)]
pub struct ClusterList {
    pub data: Vec<Cluster>,
}

/// Groups of similar published contributions: what recurs across groups and regions.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/clusters", tag = "synthesis", params(("slug" = String, Path)),
    responses((status = 200, body = ClusterList)), security(("bearer" = ["contributions:read"])))]
#[get("/consultations/{slug}/clusters")]
pub async fn clusters(
    state: web::Data<AppState>,
    caller: Caller,
    slug: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let slug = slug.into_inner();
    let data = state.db.run(move |conn| synthesis::clusters(conn, &caller, Some(&slug))).await?;
    Ok(HttpResponse::Ok().json(ClusterList { data }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// `md` (default), `csv` or `xlsx`.
    pub format: Option<String>,
    pub lang: Option<String>,
}

/// The synthesis document of a consultation.
#[utoipa::path(get, path = "/api/v1/consultations/{slug}/report", tag = "synthesis", params(("slug" = String, Path), ReportParams),
    responses((status = 200, description = "Markdown, CSV or XLSX", content_type = "text/markdown")), security(("bearer" = ["contributions:read"])))]
#[get("/consultations/{slug}/report")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Caller,
    lang: RequestLang,
    slug: web::Path<String>,
    q: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or("md"))?;
    let slug = slug.into_inner();
    let lang = lang.0;
    let file = slug.clone();
    let bytes = state.db.run(move |conn| synthesis_report::build(conn, &caller, &slug, lang)?.render(format)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(format.content_type())))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}-synthesis.{}\"", format.extension()),
        ))
        .body(bytes))
}
