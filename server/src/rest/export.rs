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
use futures_util::stream;
use uuid::Uuid;

/// Where the stream stands: the header is out, and the last id sent.
struct Progress {
    header_sent: bool,
    after: Option<Uuid>,
    done: bool,
}

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

    let start = Progress {
        header_sent: false,
        after: None,
        done: false,
    };
    let body = stream::try_unfold(start, move |mut at| {
        let (db, ctx, query, keys) = (state.db.clone(), ctx.clone(), query.clone(), keys.clone());
        async move {
            if at.done {
                return Ok::<_, AppError>(None);
            }
            let mut out = Vec::new();
            if !at.header_sent && format == ExportFormat::Csv {
                out = export::csv_header(&keys);
            }
            at.header_sent = true;
            let leads = export::chunk(&db, &ctx, &query, at.after)
                .await
                .inspect_err(|e| {
                    tracing::error!(error = %e, "export stopped part-way");
                })?;
            at.done = (leads.len() as u64) < export::EXPORT_CHUNK;
            at.after = leads.last().map(|l| l.id).or(at.after);
            out.extend(match format {
                ExportFormat::Csv => export::csv_rows(&leads, &keys),
                ExportFormat::Jsonl => export::jsonl_rows(&leads),
            });
            Ok(Some((Bytes::from(out), at)))
        }
    });
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
