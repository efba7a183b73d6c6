//! `/healthz` and `/metrics`.

use actix_web::{web, HttpResponse};
use serde_json::json;

use super::metrics::Info;
use super::state::{AppState, Readiness};

/// `GET /healthz`: 200 with version and counts when serving, 503 while loading or after a
/// failed load.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let version = env!("CARGO_PKG_VERSION");
    match &*state.readiness.read().expect("readiness lock") {
        Readiness::Loading => HttpResponse::ServiceUnavailable()
            .insert_header(("Retry-After", "5"))
            .json(json!({ "status": "loading", "version": version })),
        Readiness::Failed(message) => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "failed", "version": version, "reason": message })),
        Readiness::Ready(loaded) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "version": version,
            "nodes": loaded.graph.node_count(),
            "edges": loaded.graph.edges().len(),
            "graph_hash": loaded.manifest.graph_hash,
            "model": loaded.model.as_ref().map(|m| m.id.clone()),
            "materialised_predictions": loaded.materialised_predictions,
        })),
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let loaded = state.loaded().ok();
    let model = loaded
        .as_ref()
        .and_then(|l| l.model.as_ref())
        .map(|m| m.id.as_str())
        .unwrap_or("");
    let graph_hash = loaded
        .as_ref()
        .map(|l| l.manifest.graph_hash.as_str())
        .unwrap_or("");
    let text = state.metrics.render(&Info {
        version: env!("CARGO_PKG_VERSION"),
        model,
        graph_hash,
    });
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text)
}
