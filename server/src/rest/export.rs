//! `GET /api/v1/contacts/export`: every contact the list's filters match, streamed as CSV or
//! JSON Lines at constant memory.

use super::extract::Tenant;
use super::openapi::ErrorBody;
use app::domain::error::AppError;
use app::domain::field_errors::FieldErrors;
use app::domain::list_query::{ListQuery, query_pairs};
use app::server::service::export::{self, ExportFormat};
use app::server::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};

#[utoipa::path(get, path = "/api/v1/contacts/export", tag = "contacts",
    security(("session" = []), ("bearer" = [])),
    params(
        ("format" = Option<String>, Query, description = "csv (default) or jsonl"),
        ("search" = Option<String>, Query, description = "As for the list"),
        ("status" = Option<String>, Query, description = "As for the list"),
        ("filter" = Option<Vec<String>>, Query, explode, description = "As for the list: `field:op:value`, repeatable"),
    ),
    responses((status = 200, description = "Every matching contact, in id order. CSV: a header row `email,firstName,lastName,name,company,status,score,created,updated` then one `attributes.<key>` column per key in use; JSON Lines: one contact per line, as the API returns it", content_type = "text/csv"),
        (status = 400, description = "A parameter is invalid; `fields` names it", body = ErrorBody), (status = 401, description = "Not signed in", body = ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    Tenant(ctx): Tenant,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let mut pairs = query_pairs(raw.as_deref().unwrap_or(""))?;
    let mut errors = FieldErrors::new();
    let mut format = ExportFormat::Csv;
    pairs.retain(|(k, v)| {
        if k == "format" {
            format = errors
                .take("format", ExportFormat::parse(v))
                .unwrap_or(format);
            return false;
        }
        // Paging and order mean nothing to an export of everything; they are ignored.
        !matches!(k.as_str(), "page" | "limit" | "cursor" | "sort" | "order")
    });
    errors.into_result()?;
    let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    // Each chunk checks too; this refuses before the first byte is streamed.
    ctx.require(app::domain::permission::Action::ExportContacts)?;
    let keys = match format {
        ExportFormat::Csv => export::attribute_keys(&state.db, &ctx, &query).await?,
        ExportFormat::Jsonl => Vec::new(),
    };

    let header = match format {
        ExportFormat::Csv => Some(Ok(Bytes::from(export::csv_header(&keys)))),
        ExportFormat::Jsonl => None,
    };
    let chunks = export::read_ahead(state.db.clone(), ctx, query);
    let rows = stream::unfold(chunks, move |mut chunks| {
        let keys = keys.clone();
        async move {
            let leads = match chunks.recv().await? {
                Ok(leads) => leads,
                Err(e) => {
                    tracing::error!(error = %e, "export stopped part-way");
                    return Some((Err(e), chunks));
                }
            };
            let bytes = match format {
                ExportFormat::Csv => export::csv_rows(&leads, &keys),
                ExportFormat::Jsonl => export::jsonl_rows(&leads),
            };
            Some((Ok(Bytes::from(bytes)), chunks))
        }
    });
    // Fused: the compression layer polls a body once more after its end, and an `unfold`
    // polled again after it ended panics.
    let body = stream::iter(header).chain(rows).fuse();
    let filename = format!(
        "contacts-{}.{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response())
}
