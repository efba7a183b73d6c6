//! The JSON API under `/api/v1`: entity search and lookup, top-k predictions, batch scoring
//! and the model card. `openapi.json` documents every route.

use std::collections::BTreeMap;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::body::{media_type, read_body};
use super::error::ApiError;
use super::state::{AppState, Loaded};
use crate::eval::Side;
use crate::kg::{RelationId, Triple};
use crate::rank::{
    CandidateEvidence, Explanation, GeneFacts, PassageEvidence, Query, RankedCandidate,
};

/// The OpenAPI 3 document of every route.
pub const OPENAPI_JSON: &str = include_str!("openapi.json");

/// Largest `limit` of an entity search.
const MAX_SEARCH_LIMIT: usize = 100;
/// Maximum length of a search text, in characters. A search compares the text with every name of the
/// kind (and edit distances when nothing matches), so its time grows with the length.
const MAX_SEARCH_CHARS: usize = 256;
/// Largest `k` of a predictions request.
const MAX_K: usize = 1000;

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(OPENAPI_JSON)
}

/// Query of `GET /api/v1/entities`.
#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
    kind: Option<String>,
    limit: Option<usize>,
}

/// The fields that name an entity in every response.
#[derive(Serialize)]
struct EntityRef<'a> {
    id: &'a str,
    kind: &'a str,
    name: &'a str,
    iri: &'a str,
}

impl<'a> EntityRef<'a> {
    fn new(loaded: &'a Loaded, node: u32) -> Self {
        let n = loaded.graph.node(node);
        Self {
            id: &n.id,
            kind: &loaded.graph.schema().kinds[n.kind as usize].name,
            name: &n.name,
            iri: &n.iri,
        }
    }
}

fn entity_json(loaded: &Loaded, node: u32) -> Value {
    json!(EntityRef::new(loaded, node))
}

/// Body of a `GET /api/v1/predictions` response. Typed rather than built as a
/// `serde_json::Value`, because this is the hottest route and a `Value` tree costs an
/// allocation per field.
#[derive(Serialize)]
struct PredictionsBody<'a> {
    source: EntityRef<'a>,
    relation: &'a str,
    direction: &'static str,
    model: &'a str,
    k: usize,
    total_candidates: usize,
    known_removed: usize,
    candidates: Vec<CandidateBody<'a>>,
}

/// One candidate of [`PredictionsBody`]. The evidence fields appear only with `explain`.
#[derive(Serialize)]
struct CandidateBody<'a> {
    #[serde(flatten)]
    entity: EntityRef<'a>,
    score: f64,
    rank: usize,
    percentile: f64,
    probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<&'a Option<Explanation>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    passages: Option<&'a [PassageEvidence]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gene: Option<&'a GeneFacts>,
}

impl<'a> CandidateBody<'a> {
    /// Builds the body of the candidate `ranked`, with the explanation, passages and gene facts of `evidence`
    /// when the request asked for them.
    fn new(
        loaded: &'a Loaded,
        ranked: &RankedCandidate,
        evidence: Option<&'a CandidateEvidence>,
    ) -> Self {
        Self {
            entity: EntityRef::new(loaded, ranked.node),
            score: f64::from(ranked.score),
            rank: ranked.rank,
            percentile: ranked.percentile,
            probability: ranked.probability,
            explanation: evidence.map(|c| &c.explanation),
            passages: evidence.map(|c| c.passages.as_slice()),
            gene: evidence.and_then(|c| c.gene.as_ref()),
        }
    }
}

fn parse_kind(loaded: &Loaded, kind: &str) -> Result<crate::kg::KindId, ApiError> {
    loaded.graph.schema().kind_id(kind).ok_or_else(|| {
        let known: Vec<&str> = loaded
            .graph
            .schema()
            .kinds
            .iter()
            .map(|k| k.name.as_str())
            .collect();
        ApiError::bad_request(
            format!("unknown kind {kind:?}"),
            format!("use one of: {}", known.join(", ")),
        )
    })
}

fn parse_relation(loaded: &Loaded, relation: &str) -> Result<RelationId, ApiError> {
    let schema = loaded.graph.schema();
    schema.relation_id(relation).ok_or_else(|| {
        let known: Vec<&str> = schema
            .relations
            .iter()
            .map(|r| r.abbreviation.as_str())
            .collect();
        ApiError::bad_request(
            format!("unknown relation {relation:?}"),
            format!("use an abbreviation: {}", known.join(", ")),
        )
    })
}

/// `GET /api/v1/entities?q=&kind=&limit=`.
pub async fn search(
    state: web::Data<AppState>,
    query: web::Query<SearchQuery>,
) -> Result<HttpResponse, ApiError> {
    let loaded = state.loaded()?;
    let text = query.q.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(ApiError::bad_request(
            "missing the parameter q",
            "send ?q=aspirin",
        ));
    }
    let length = text.chars().count();
    if length > MAX_SEARCH_CHARS {
        return Err(ApiError::bad_request(
            format!("q has {length} characters, more than {MAX_SEARCH_CHARS}"),
            "search for a shorter part of the name or identifier",
        ));
    }
    let limit = query.limit.unwrap_or(10);
    if !(1..=MAX_SEARCH_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            format!("invalid limit {limit}"),
            format!("use a limit from 1 to {MAX_SEARCH_LIMIT}"),
        ));
    }
    let kind = query
        .kind
        .as_deref()
        .map(|k| parse_kind(&loaded, k))
        .transpose()?;

    let hits = loaded.search.search(text, kind, limit);
    let results: Vec<Value> = hits
        .iter()
        .map(|hit| {
            let mut entity = entity_json(&loaded, hit.node);
            entity["match"] = hit.matched.as_str().into();
            entity["degree"] = loaded.search.degree(hit.node).into();
            entity
        })
        .collect();
    Ok(HttpResponse::Ok()
        .json(json!({ "query": text, "count": results.len(), "results": results })))
}

/// `GET /api/v1/entities/{id}`.
pub async fn entity(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let loaded = state.loaded()?;
    let node = loaded.entity(&id)?;
    let schema = loaded.graph.schema();

    // Count edges per (relation, direction) around the node.
    let mut degrees: BTreeMap<(String, &str), usize> = BTreeMap::new();
    let index = petgraph::graph::NodeIndex::new(node as usize);
    for (direction, label) in [
        (petgraph::Direction::Outgoing, "out"),
        (petgraph::Direction::Incoming, "in"),
    ] {
        for edge in loaded.graph.petgraph().edges_directed(index, direction) {
            let abbreviation = schema.relations[*edge.weight() as usize]
                .abbreviation
                .clone();
            *degrees.entry((abbreviation, label)).or_default() += 1;
        }
    }
    let per_relation: Vec<Value> = degrees
        .into_iter()
        .map(|((relation, direction), count)| json!({ "relation": relation, "direction": direction, "count": count }))
        .collect();

    let mut body = entity_json(&loaded, node);
    body["degree"] = loaded.search.degree(node).into();
    body["degree_by_relation"] = per_relation.into();
    Ok(HttpResponse::Ok().json(body))
}

/// Query of `GET /api/v1/predictions`.
#[derive(Debug, Deserialize)]
pub struct PredictionsQuery {
    source: Option<String>,
    relation: Option<String>,
    k: Option<usize>,
    explain: Option<bool>,
}

/// `GET /api/v1/predictions?source=&relation=&k=&explain=`.
pub async fn predictions(
    state: web::Data<AppState>,
    params: web::Query<PredictionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let loaded = state.loaded()?;
    let source_id = params.source.as_deref().ok_or_else(|| {
        ApiError::bad_request("missing the parameter source", "send ?source=DB00945")
    })?;
    let relation_name = params.relation.as_deref().ok_or_else(|| {
        ApiError::bad_request("missing the parameter relation", "send &relation=CtD")
    })?;
    let k = params.k.unwrap_or(20);
    if !(1..=MAX_K).contains(&k) {
        return Err(ApiError::bad_request(
            format!("invalid k {k}"),
            format!("use a k from 1 to {MAX_K}"),
        ));
    }
    let source = loaded.entity(source_id)?;
    let relation = parse_relation(&loaded, relation_name)?;

    let schema = loaded.graph.schema();
    let rel = &schema.relations[relation as usize];
    let kind = loaded.graph.node(source).kind;
    if kind != rel.source && kind != rel.target {
        return Err(ApiError::InvalidCombination {
            reason: format!(
                "relation {relation_name} joins {} to {}, but {source_id} is a {}",
                schema.kinds[rel.source as usize].name,
                schema.kinds[rel.target as usize].name,
                schema.kinds[kind as usize].name
            ),
            hint: Some("pick a relation whose source or target kind is the entity's kind".into()),
        });
    }
    let query =
        Query::new(&loaded.graph, source, relation).map_err(|e| ApiError::InvalidCombination {
            reason: e.to_string(),
            hint: None,
        })?;
    let explain = params.explain.unwrap_or(false);

    // Ranking alone takes well under a millisecond on the CPU scorer, so it runs on the
    // worker thread. Explanations search paths, so they run on the blocking pool.
    let rank = {
        let loaded = Arc::clone(&loaded);
        move || -> Result<_, ApiError> {
            loaded
                .ranking
                .rank(&loaded.graph, loaded.model()?, &query, k, explain)
                .map_err(|e| ApiError::Internal(e.to_string()))
        }
    };
    let (ranking, evidence) = if explain {
        web::block(rank)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))??
    } else {
        rank()?
    };
    let model = loaded.model()?;

    let candidates = match &evidence {
        Some(evidence) => evidence
            .iter()
            .map(|c| CandidateBody::new(&loaded, &c.ranked, Some(c)))
            .collect(),
        None => ranking
            .candidates
            .iter()
            .map(|r| CandidateBody::new(&loaded, r, None))
            .collect(),
    };
    let body = PredictionsBody {
        source: EntityRef::new(&loaded, source),
        relation: &rel.abbreviation,
        direction: if query.side == Side::Tail {
            "tails"
        } else {
            "heads"
        },
        model: &model.id,
        k,
        total_candidates: ranking.total_candidates,
        known_removed: ranking.known_removed,
        candidates,
    };
    // A candidate takes about 250 bytes of JSON. Sizing the buffer once saves the copies
    // of a growing one on the hottest route.
    let mut json = Vec::with_capacity(512 + 256 * body.candidates.len());
    serde_json::to_writer(&mut json, &body).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
}

/// One pair of `POST /api/v1/score`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    head: String,
    relation: String,
    tail: String,
}

/// `POST /api/v1/score` with a JSON list of `{head, relation, tail}`.
pub async fn score(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let body = read_body(&request, payload, state.config.max_request_bytes).await?;
    let content_type = media_type(&request);
    if content_type != "application/json" {
        return Err(ApiError::UnsupportedMediaType {
            content_type,
            expected: "application/json",
        });
    }
    let pairs: Vec<Pair> = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            format!("invalid JSON body: {e}"),
            r#"send a list like [{"head": "DB00945", "relation": "CtD", "tail": "DOID:1612"}]"#,
        )
    })?;
    let limit = state.config.max_score_pairs;
    if pairs.len() > limit {
        return Err(ApiError::TooLarge {
            what: "pair list",
            size: pairs.len(),
            limit,
            flag: "--max-score-pairs",
        });
    }
    let loaded = state.loaded()?;

    let mut triples = Vec::with_capacity(pairs.len());
    for (position, pair) in pairs.iter().enumerate() {
        let head = loaded.entity(&pair.head)?;
        let tail = loaded.entity(&pair.tail)?;
        let relation = parse_relation(&loaded, &pair.relation)?;
        let rel = &loaded.graph.schema().relations[relation as usize];
        let kinds = &loaded.graph.schema().kinds;
        let (head_kind, tail_kind) = (loaded.graph.node(head).kind, loaded.graph.node(tail).kind);
        if head_kind != rel.source || tail_kind != rel.target {
            return Err(ApiError::InvalidCombination {
                reason: format!(
                    "pair {position}: relation {} joins {} to {}, not {} to {}",
                    pair.relation,
                    kinds[rel.source as usize].name,
                    kinds[rel.target as usize].name,
                    kinds[head_kind as usize].name,
                    kinds[tail_kind as usize].name
                ),
                hint: Some("swap head and tail or pick another relation".into()),
            });
        }
        triples.push(Triple {
            head,
            relation,
            tail,
        });
    }
    let scorer = Arc::clone(&loaded.model()?.scorer);

    let scores = web::block({
        let triples = triples.clone();
        move || scorer.score_triples(&triples)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let results: Vec<Value> = triples
        .iter()
        .zip(scores)
        .map(|(t, score)| {
            json!({
                "head": loaded.graph.node(t.head).id,
                "relation": loaded.graph.schema().relations[t.relation as usize].abbreviation,
                "tail": loaded.graph.node(t.tail).id,
                "score": f64::from(score),
                "known": loaded.ranking.known.contains(t.head, t.relation, t.tail),
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({ "model": loaded.model()?.id, "scores": results })))
}

/// `GET /api/v1/model`.
pub async fn model(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let loaded = state.loaded()?;
    let model = loaded.model()?;
    Ok(HttpResponse::Ok().json(json!({
        "id": model.id,
        "scorer": model.scorer.name(),
        "card": model.card,
        "materialised_predictions": loaded.materialised_predictions,
        "graph_hash": loaded.manifest.graph_hash,
    })))
}
