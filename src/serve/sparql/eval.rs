//! Evaluation of one SPARQL query on its own thread, with a deadline, a row cap and a budget
//! for sorts and DISTINCTs.
//!
//! What stops a query, and where:
//! - store scans read the [`CancellationToken`], which the handler cancels at the deadline
//!   or when the client goes away;
//! - the loop that serialises results checks the deadline before each solution and stops
//!   at the row cap (the response is then truncated, not failed);
//! - the guard function that [`super::guard`] puts under every sort and DISTINCT checks the
//!   deadline, counts the solutions they buffer and unwinds the evaluation thread when
//!   either runs out.
//!
//! # Limitations
//! A sort that has already collected its input (at most the budget) runs to its end after
//! the deadline, on a thread that the request no longer waits for. Such threads keep their
//! query slot until they end, so at most `max_concurrent_queries` evaluations run at once.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;
use std::time::Instant;

use oxigraph::io::RdfSerializer;
use oxigraph::sparql::results::QueryResultsSerializer;
use oxigraph::sparql::{
    CancellationToken, PreparedSparqlQuery, QueryEvaluationError, QueryResults,
};
use oxigraph::store::Store;

use super::negotiate::Output;

/// Reason for stopping a query before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The deadline passed.
    Deadline,
    /// Sorts and DISTINCTs buffered more solutions than the budget.
    Budget,
    /// The request was dropped, usually because the client disconnected.
    Abandoned,
}

/// The limits of one query, shared by its evaluation thread, its guard and its handler.
pub struct Budget {
    deadline: Instant,
    abandoned: AtomicBool,
    buffered: AtomicU64,
    max_buffered: u64,
}

impl Budget {
    /// Creates the limits of a query that must end by `deadline`.
    #[must_use]
    pub fn new(deadline: Instant, max_buffered: u64) -> Self {
        Self {
            deadline,
            abandoned: AtomicBool::new(false),
            buffered: AtomicU64::new(0),
            max_buffered,
        }
    }

    /// Marks the query as no longer awaited.
    pub fn abandon(&self) {
        self.abandoned.store(true, Ordering::Relaxed);
    }

    /// Returns why the query must stop now, if it must.
    #[must_use]
    pub fn check(&self) -> Option<Stop> {
        if self.abandoned.load(Ordering::Relaxed) {
            Some(Stop::Abandoned)
        } else if Instant::now() >= self.deadline {
            Some(Stop::Deadline)
        } else {
            None
        }
    }

    /// Counts one buffered solution and checks the budget, the deadline and the client; the
    /// buffer guard calls it.
    ///
    /// Returns no value, so the guard's variable stays unbound and costs no term encoding.
    ///
    /// # Panics
    /// Unwinds with a [`Stop`] payload when the query must stop; [`run`] catches it.
    pub fn buffer_guard(&self) -> Option<oxigraph::model::Term> {
        let buffered = self.buffered.fetch_add(1, Ordering::Relaxed) + 1;
        if buffered > self.max_buffered {
            std::panic::panic_any(Stop::Budget);
        }
        if let Some(stop) = self.check() {
            std::panic::panic_any(stop);
        }
        None
    }
}

/// The serialised results of a query.
#[derive(Debug)]
pub struct Evaluation {
    /// Response body.
    pub body: Vec<u8>,
    /// Whether solutions (or triples) after the row cap were dropped.
    pub truncated: bool,
}

/// Failure of an evaluation.
#[derive(Debug)]
pub enum EvalError {
    /// It was stopped.
    Stopped(Stop),
    /// The query is invalid for this data (e.g. an unsupported SERVICE).
    Query(String),
    /// The store or the serialiser failed.
    Internal(String),
}

/// Evaluates `prepared` on `store` and serialises the results as `output`, stopping at
/// `budget`'s limits and after `max_rows` solutions. Runs on the calling thread.
pub fn run(
    prepared: PreparedSparqlQuery,
    store: &Store,
    output: Output,
    budget: &Budget,
    token: &CancellationToken,
    max_rows: u64,
) -> Result<Evaluation, EvalError> {
    silence_stop_panics();
    match catch_unwind(AssertUnwindSafe(|| {
        serialise(prepared, store, output, budget, token, max_rows)
    })) {
        Ok(result) => result,
        Err(payload) => match payload.downcast::<Stop>() {
            Ok(stop) => Err(EvalError::Stopped(*stop)),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "unknown panic".into());
                Err(EvalError::Internal(format!(
                    "query evaluation panicked: {message}"
                )))
            }
        },
    }
}

fn serialise(
    prepared: PreparedSparqlQuery,
    store: &Store,
    output: Output,
    budget: &Budget,
    token: &CancellationToken,
    max_rows: u64,
) -> Result<Evaluation, EvalError> {
    let results = prepared
        .on_store(store)
        .execute()
        .map_err(|e| evaluation_error(e, budget))?;
    let mut body = Vec::new();
    let mut rows = 0u64;
    let mut truncated = false;
    let io = |e: std::io::Error| EvalError::Internal(format!("failed to serialise results: {e}"));

    match (results, output) {
        (QueryResults::Solutions(solutions), Output::Results(format)) => {
            let variables = solutions.variables().to_vec();
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut body, variables)
                .map_err(io)?;
            for solution in solutions {
                stop_if_needed(budget, token)?;
                if rows == max_rows {
                    truncated = true;
                    break;
                }
                let solution = solution.map_err(|e| evaluation_error(e, budget))?;
                writer.serialize(&solution).map_err(io)?;
                rows += 1;
            }
            writer.finish().map_err(io)?;
        }
        (QueryResults::Boolean(value), Output::Results(format)) => {
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(&mut body, value)
                .map_err(io)?;
        }
        (QueryResults::Graph(triples), Output::Graph(format)) => {
            let mut writer = RdfSerializer::from_format(format).for_writer(&mut body);
            for triple in triples {
                stop_if_needed(budget, token)?;
                if rows == max_rows {
                    truncated = true;
                    break;
                }
                let triple = triple.map_err(|e| evaluation_error(e, budget))?;
                writer.serialize_triple(&triple).map_err(io)?;
                rows += 1;
            }
            writer.finish().map_err(io)?;
        }
        _ => {
            return Err(EvalError::Internal(
                "the negotiated format does not fit the query form".into(),
            ))
        }
    }
    Ok(Evaluation { body, truncated })
}

fn stop_if_needed(budget: &Budget, token: &CancellationToken) -> Result<(), EvalError> {
    match budget.check() {
        Some(stop) => {
            token.cancel();
            Err(EvalError::Stopped(stop))
        }
        None => Ok(()),
    }
}

fn evaluation_error(error: QueryEvaluationError, budget: &Budget) -> EvalError {
    match error {
        QueryEvaluationError::Cancelled => {
            EvalError::Stopped(budget.check().unwrap_or(Stop::Deadline))
        }
        QueryEvaluationError::Dataset(e) => EvalError::Internal(format!("store error: {e}")),
        other => EvalError::Query(other.to_string()),
    }
}

/// Keeps the default panic hook from printing the unwinds that stop queries.
fn silence_stop_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.payload().is::<Stop>() {
                previous(info);
            }
        }));
    });
}
