//! Endpoints outside the AWS APIs: health, metrics, and in dev mode only the reset endpoints
//! (`POST /_gatehouse/reset`, moto's `POST /moto-api/reset` and `/moto-api/reset-auth`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::App;

/// `GET /health/live`: the process answers.
pub async fn live() -> &'static str {
    "ok"
}

/// `GET /health/ready`: the store answers and its schema is current.
pub async fn ready(State(app): State<App>) -> Response {
    let store = app.store();
    let current = crate::store::migrations::current_version(store).await.ok();
    let latest = crate::store::migrations::latest_version(store);
    if store.ping().await && current == Some(latest) {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response()
    }
}

/// `GET /metrics`: Prometheus's text exposition format.
pub async fn metrics(State(app): State<App>) -> Response {
    if !app.config().metrics {
        return not_found();
    }
    let (connections, idle) = app.store().pool_use();
    (
        StatusCode::OK,
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        crate::metrics::render(connections, idle),
    )
        .into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Wipes all state but the management account and its root key (dev mode only).
pub async fn reset(State(app): State<App>) -> Response {
    let Some(dev) = app.dev() else {
        return not_found();
    };
    let keep = app.management_account().to_string();
    if let Err(error) = app.store().reset(&keep).await {
        tracing::error!(%error, "reset failed");
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"status": "error"})),
        )
            .into_response();
    }
    app.credentials().clear();
    app.policies().clear();
    dev.forget_accounts();
    (StatusCode::OK, Json(json!({"status": "ok"}))).into_response()
}

/// Sets how many of the next requests skip authentication (dev mode only). The body is
/// a number or `inf`; the answer carries the previous value, as moto's does.
pub async fn reset_auth(State(app): State<App>, body: String) -> Response {
    let Some(dev) = app.dev() else {
        return not_found();
    };
    let text = body.trim().trim_matches('"');
    let count = if text.eq_ignore_ascii_case("inf") || text.eq_ignore_ascii_case("infinity") {
        None
    } else {
        match text.parse::<f64>() {
            Ok(value) if value.is_finite() && value >= 0.0 => {
                // Truncation is intended: moto reads the count as a number of requests.
                #[expect(clippy::cast_possible_truncation, reason = "bounded by the check above")]
                Some(value.min(i64::MAX as f64) as i64)
            }
            Ok(value) if value.is_infinite() && value > 0.0 => None,
            _ => {
                return (
                    StatusCode::BAD_REQUEST,
                    Json(json!({"error": format!("expected a number of requests or `inf`, got `{text}`")})),
                )
                    .into_response()
            }
        }
    };
    let previous = dev.set_no_auth(count);
    // moto reports infinity as a bare `Infinity`, which Python's json reads; keep that.
    let previous = previous.map_or_else(|| "Infinity".to_owned(), |n| n.to_string());
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        format!("{{\"PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT\": {previous}}}"),
    )
        .into_response()
}
