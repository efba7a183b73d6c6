//! The SPARQL 1.1 Protocol endpoint `/sparql`.
//!
//! - Queries: `GET ?query=`, `POST` with `application/x-www-form-urlencoded` (`query=`) or
//!   `application/sparql-query`; `default-graph-uri` and `named-graph-uri` replace the
//!   query's `FROM` and `FROM NAMED` (SPARQL 1.1 Protocol, section 2.1.4).
//! - Results: SELECT and ASK as `application/sparql-results+json`, `+xml`, `text/csv` or
//!   `text/tab-separated-values`; CONSTRUCT and DESCRIBE as `text/turtle`,
//!   `application/n-triples` or `application/rdf+xml`, chosen by `Accept` (406 otherwise).
//! - Updates (`update=`, `application/sparql-update`) get 403 unless the server runs with
//!   `--allow-update`. With it, they change the in-memory copy of the store only.
//! - With a model: the named graph `rx:predictions` and the function
//!   `rx:score(head, relation, tail)` (IRIs, or identifiers and abbreviations as strings),
//!   which returns an `xsd:double` or an error (unbound) for unknown nodes or kinds that
//!   the relation does not join.
//!
//! Limits: see [`eval`] (deadline, row cap, sort budget) and [`ServeConfig`].

mod eval;
mod guard;
mod negotiate;

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, HttpRequest, HttpResponse};
use oxigraph::model::{GraphName, Literal, NamedNode, NamedOrBlankNode, Term};
use oxigraph::sparql::{CancellationToken, SparqlEvaluator};

use super::body::{media_type, read_body};
use super::config::ServeConfig;
use super::error::ApiError;
use super::state::{AppState, Loaded};
use super::PeerSocket;
use crate::kg::schema::VOCAB;
use crate::kg::Triple;
use eval::{Budget, EvalError, Stop};
pub use negotiate::{negotiate, Output};

/// One protocol request after parsing.
#[derive(Debug, Default)]
struct ProtocolRequest {
    query: Option<String>,
    update: Option<String>,
    default_graphs: Vec<String>,
    named_graphs: Vec<String>,
    /// Whether `using-graph-uri` or `using-named-graph-uri` was sent.
    using_graphs: bool,
}

impl ProtocolRequest {
    fn from_pairs(pairs: Vec<(String, String)>) -> Result<Self, ApiError> {
        let mut request = Self::default();
        for (name, value) in pairs {
            match name.as_str() {
                "query" => set_once(&mut request.query, value, "query")?,
                "update" => set_once(&mut request.update, value, "update")?,
                "default-graph-uri" => request.default_graphs.push(value),
                "named-graph-uri" => request.named_graphs.push(value),
                "using-graph-uri" | "using-named-graph-uri" => request.using_graphs = true,
                _ => {}
            }
        }
        Ok(request)
    }
}

fn set_once(slot: &mut Option<String>, value: String, name: &str) -> Result<(), ApiError> {
    if slot.is_some() {
        return Err(ApiError::bad_request(
            format!("the parameter {name:?} is given more than once"),
            "send exactly one query or update per request",
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn parse_pairs(text: &str, what: &str) -> Result<Vec<(String, String)>, ApiError> {
    serde_urlencoded::from_str(text).map_err(|e| {
        ApiError::bad_request(
            format!("invalid {what}: {e}"),
            "percent-encode the parameters as application/x-www-form-urlencoded",
        )
    })
}

fn check_query_string(request: &HttpRequest, config: &ServeConfig) -> Result<(), ApiError> {
    let size = request.query_string().len();
    if size > config.max_request_bytes {
        return Err(ApiError::TooLarge {
            what: "query string",
            size,
            limit: config.max_request_bytes,
            flag: "--max-request-bytes",
        });
    }
    Ok(())
}

/// `GET /sparql`.
pub async fn get(
    request: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    check_query_string(&request, &state.config)?;
    let protocol =
        ProtocolRequest::from_pairs(parse_pairs(request.query_string(), "query string")?)?;
    if protocol.update.is_some() {
        return Err(ApiError::bad_request(
            "SPARQL updates must be sent with POST",
            "POST the update as application/sparql-update or as the form field update=",
        ));
    }
    dispatch(&request, &state, protocol).await
}

/// `POST /sparql`.
pub async fn post(
    request: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    check_query_string(&request, &state.config)?;
    let body = read_body(&request, payload, state.config.max_request_bytes).await?;
    let mut pairs = parse_pairs(request.query_string(), "query string")?;
    let text = || {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the request body is not UTF-8", "send UTF-8 text"))
    };
    match media_type(&request).as_str() {
        "application/x-www-form-urlencoded" => pairs.extend(parse_pairs(&text()?, "form body")?),
        "application/sparql-query" => pairs.push(("query".into(), text()?)),
        "application/sparql-update" => pairs.push(("update".into(), text()?)),
        other => {
            return Err(ApiError::UnsupportedMediaType {
                content_type: other.to_owned(),
                expected: "application/x-www-form-urlencoded, application/sparql-query, \
                           application/sparql-update",
            })
        }
    }
    let protocol = ProtocolRequest::from_pairs(pairs)?;
    dispatch(&request, &state, protocol).await
}

async fn dispatch(
    request: &HttpRequest,
    state: &web::Data<AppState>,
    protocol: ProtocolRequest,
) -> Result<HttpResponse, ApiError> {
    match (&protocol.query, &protocol.update) {
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "a request may hold a query or an update, not both",
            "send them in two requests",
        )),
        (None, None) => Err(ApiError::bad_request(
            "missing the parameter query (or update)",
            "send ?query=SELECT… or POST application/sparql-query",
        )),
        (None, Some(_)) => update(state, protocol).await,
        (Some(_), None) => query(request, state, protocol).await,
    }
}

async fn update(
    state: &web::Data<AppState>,
    protocol: ProtocolRequest,
) -> Result<HttpResponse, ApiError> {
    if !state.config.allow_update {
        return Err(ApiError::UpdatesDisabled);
    }
    if protocol.using_graphs
        || !protocol.default_graphs.is_empty()
        || !protocol.named_graphs.is_empty()
    {
        return Err(ApiError::bad_request(
            "using-graph-uri, using-named-graph-uri and graph parameters are not supported with \
             updates",
            "name the graphs with USING or WITH inside the update",
        ));
    }
    let loaded = state.loaded()?;
    let text = protocol.update.unwrap_or_default();
    let prepared = SparqlEvaluator::new().parse_update(&text).map_err(|e| {
        ApiError::bad_request(format!("invalid SPARQL update: {e}"), "check the syntax")
    })?;
    let timeout_ms = millis(state.config.timeout);
    let task = web::block(move || {
        prepared
            .on_store(&loaded.store)
            .execute()
            .map_err(|e| e.to_string())
    });
    match tokio::time::timeout(state.config.timeout, task).await {
        Ok(Ok(Ok(()))) => Ok(HttpResponse::NoContent().finish()),
        Ok(Ok(Err(message))) => Err(ApiError::bad_request(
            format!("SPARQL update failed: {message}"),
            "check the graph names and the data",
        )),
        Ok(Err(e)) => Err(ApiError::Internal(e.to_string())),
        // NOTE: an update has no cancellation token; it finishes in the background.
        Err(_) => Err(ApiError::QueryTimeout { timeout_ms }),
    }
}

/// Cancels the query when the handler is dropped (the client went away) or finishes.
struct CancelOnDrop {
    budget: Arc<Budget>,
    token: CancellationToken,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.budget.abandon();
        self.token.cancel();
    }
}

async fn query(
    request: &HttpRequest,
    state: &web::Data<AppState>,
    protocol: ProtocolRequest,
) -> Result<HttpResponse, ApiError> {
    let loaded = state.loaded()?;
    let config = &state.config;
    let text = protocol.query.as_deref().unwrap_or_default();
    let parsed = spargebra::SparqlParser::new()
        .parse_query(text)
        .map_err(|e| {
            ApiError::bad_request(format!("invalid SPARQL query: {e}"), "check the syntax")
        })?;
    let is_graph = matches!(
        parsed,
        spargebra::Query::Construct { .. } | spargebra::Query::Describe { .. }
    );
    let accept = request
        .headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let output = negotiate(accept, is_graph)?;

    let started = Instant::now();
    let budget = Arc::new(Budget::new(started + config.timeout, config.max_sort_rows));
    let token = CancellationToken::new();
    let mut prepared = evaluator(&loaded, &budget, &token).for_query(guard::add_guards(parsed));
    if !protocol.default_graphs.is_empty() || !protocol.named_graphs.is_empty() {
        let dataset = prepared.dataset_mut();
        dataset.set_default_graph(
            protocol
                .default_graphs
                .iter()
                .map(|iri| named_node(iri, "default-graph-uri").map(GraphName::NamedNode))
                .collect::<Result<_, _>>()?,
        );
        dataset.set_available_named_graphs(
            protocol
                .named_graphs
                .iter()
                .map(|iri| named_node(iri, "named-graph-uri").map(NamedOrBlankNode::NamedNode))
                .collect::<Result<_, _>>()?,
        );
    }

    // Waiting for a slot counts against the query's deadline.
    let busy = ApiError::Busy {
        slots: config.max_concurrent_queries,
    };
    let permit = match tokio::time::timeout(
        config.timeout,
        Arc::clone(&state.query_slots).acquire_owned(),
    )
    .await
    {
        Ok(Ok(permit)) => permit,
        Ok(Err(_)) | Err(_) => return Err(busy),
    };
    let _cancel = CancelOnDrop {
        budget: Arc::clone(&budget),
        token: token.clone(),
    };
    let (sender, receiver) = tokio::sync::oneshot::channel();
    let (thread_budget, thread_token, max_rows) =
        (Arc::clone(&budget), token.clone(), config.max_rows);
    // A thread of the runtime's blocking pool evaluates the query. Starting a new thread for
    // each query cost about a third of the latency of a small query.
    actix_web::rt::task::spawn_blocking(move || {
        // The permit is held until the evaluation really ends, also after a timeout.
        let _permit = permit;
        let result = eval::run(
            prepared,
            &loaded.store,
            output,
            &thread_budget,
            &thread_token,
            max_rows,
        );
        let _ = sender.send(result);
    });

    let timeout_ms = millis(config.timeout);
    let peer = request.conn_data::<Arc<PeerSocket>>().cloned();
    let result = wait_for_result(receiver, started + config.timeout, peer.as_deref()).await;
    if matches!(result, Err(EvalError::Stopped(Stop::Abandoned))) {
        tracing::debug!("client went away; query cancelled");
    }
    match result {
        Ok(evaluation) => {
            let mut response = HttpResponse::Ok();
            response
                .content_type(output.content_type())
                .insert_header(("Vary", "Accept"));
            if evaluation.truncated {
                state
                    .metrics
                    .sparql_truncated
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                response.insert_header(("X-Rxgraph-Truncated", "true"));
                tracing::debug!(max_rows, "SPARQL results truncated at the row cap");
            }
            Ok(response.body(evaluation.body))
        }
        Err(EvalError::Stopped(Stop::Budget)) => {
            state
                .metrics
                .sparql_budget_exceeded
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Err(ApiError::QueryBudget {
                limit: config.max_sort_rows,
            })
        }
        Err(EvalError::Stopped(Stop::Abandoned)) => Err(ApiError::ClientClosed),
        Err(EvalError::Stopped(Stop::Deadline)) => {
            token.cancel();
            state
                .metrics
                .sparql_timeouts
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Err(ApiError::QueryTimeout { timeout_ms })
        }
        Err(EvalError::Query(message)) => Err(ApiError::bad_request(
            format!("query evaluation failed: {message}"),
            "SERVICE and other remote features are not available on this server",
        )),
        Err(EvalError::Internal(message)) => Err(ApiError::Internal(message)),
    }
}

/// Waits for the evaluation thread's result until `deadline`, checking every 100 ms whether
/// the client has closed the connection (actix does not drop the handler when it does).
async fn wait_for_result(
    mut receiver: tokio::sync::oneshot::Receiver<Result<eval::Evaluation, EvalError>>,
    deadline: Instant,
    peer: Option<&PeerSocket>,
) -> Result<eval::Evaluation, EvalError> {
    let mut ticks = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            result = &mut receiver => {
                return result.unwrap_or_else(|_| {
                    Err(EvalError::Internal("the query thread ended without a result".into()))
                });
            }
            _ = ticks.tick() => {
                if Instant::now() >= deadline {
                    return Err(EvalError::Stopped(Stop::Deadline));
                }
                if peer.is_some_and(PeerSocket::is_closed) {
                    return Err(EvalError::Stopped(Stop::Abandoned));
                }
            }
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn named_node(iri: &str, parameter: &str) -> Result<NamedNode, ApiError> {
    NamedNode::new(iri).map_err(|e| {
        ApiError::bad_request(
            format!("invalid IRI {iri:?} in {parameter}: {e}"),
            "send an absolute IRI",
        )
    })
}

/// Builds the evaluator of one query: cancellation token, guard and, with a model, `rx:score`.
fn evaluator(
    loaded: &Arc<Loaded>,
    budget: &Arc<Budget>,
    token: &CancellationToken,
) -> SparqlEvaluator {
    let buffer_budget = Arc::clone(budget);
    let mut evaluator = SparqlEvaluator::new()
        .with_cancellation_token(token.clone())
        .with_custom_function(
            NamedNode::new_unchecked(guard::BUFFER_GUARD_IRI),
            move |_| buffer_budget.buffer_guard(),
        );
    if loaded.model.is_some() {
        let loaded = Arc::clone(loaded);
        evaluator = evaluator.with_custom_function(
            NamedNode::new_unchecked(format!("{VOCAB}score")),
            move |args| score_function(&loaded, args),
        );
    }
    evaluator
}

/// Evaluates `rx:score(head, relation, tail)`; `None` (an evaluation error) for bad arguments.
fn score_function(loaded: &Loaded, args: &[Term]) -> Option<Term> {
    let [head, relation, tail] = args else {
        return None;
    };
    let node = |term: &Term| match term {
        Term::NamedNode(iri) => loaded.node_by_iri.get(iri.as_str()).copied(),
        Term::Literal(id) => loaded.graph.find(id.value()),
        _ => None,
    };
    let relation = match relation {
        Term::NamedNode(iri) => loaded.relation_by_iri.get(iri.as_str()).copied(),
        Term::Literal(abbreviation) => loaded.graph.schema().relation_id(abbreviation.value()),
        _ => None,
    }?;
    let (head, tail) = (node(head)?, node(tail)?);
    let rel = &loaded.graph.schema().relations[relation as usize];
    if loaded.graph.node(head).kind != rel.source || loaded.graph.node(tail).kind != rel.target {
        return None;
    }
    let model = loaded.model.as_ref()?;
    let score = model.scorer.score_triples(&[Triple {
        head,
        relation,
        tail,
    }]);
    Some(Literal::from(f64::from(*score.first()?)).into())
}
