//! Query rewriting that bounds what sorts and DISTINCTs can consume.
//!
//! Oxigraph's evaluator reads the cancellation token only while scanning the store, and an
//! `ORDER BY` collects all its input and sorts it without looking at the token. This module
//! puts `BIND(<guard>() AS ?_)` directly under every `ORDER BY` and `DISTINCT`, so a guard
//! function runs once for each solution entering them. The guard (see
//! [`super::eval::Budget::buffer_guard`]) counts those solutions against the budget and stops
//! evaluation by unwinding when the budget or the deadline runs out, or the client
//! disconnects.
//!
//! A `GROUP BY` gets no guard: its input comes from store scans, which read the token, and a
//! guard per solution made a GROUP BY over all edges about 11 % slower.
//!
//! # Limitations
//! Patterns inside `FILTER EXISTS` are not rewritten. A sort that has collected its input
//! (at most the budget) runs to its end. A `GROUP BY` keeps one entry per group, which the
//! budget does not count.

use spargebra::algebra::{Expression, Function, GraphPattern};
use spargebra::term::{NamedNode, Variable};
use spargebra::Query;

/// IRI of the guard that checks the deadline and counts buffered solutions.
pub const BUFFER_GUARD_IRI: &str = "urn:rxgraph:internal:buffer-guard";

/// Adds a guard under every sort and DISTINCT of `query`.
pub fn add_guards(query: Query) -> Query {
    let mut next = 0;
    match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: guard(pattern, &mut next),
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset,
            pattern: guard(pattern, &mut next),
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: guard(pattern, &mut next),
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: guard(pattern, &mut next),
            base_iri,
        },
    }
}

/// Wraps `inner` in a BIND of the guard function `iri` to a fresh variable.
fn guarded(inner: GraphPattern, iri: &str, next: &mut usize) -> Box<GraphPattern> {
    *next += 1;
    Box::new(GraphPattern::Extend {
        inner: Box::new(inner),
        variable: Variable::new_unchecked(format!("__rxgraph_guard_{next}")),
        expression: Expression::FunctionCall(
            Function::Custom(NamedNode::new_unchecked(iri)),
            Vec::new(),
        ),
    })
}

fn guard(pattern: GraphPattern, next: &mut usize) -> GraphPattern {
    let mut recurse = |inner: Box<GraphPattern>| Box::new(guard(*inner, next));
    match pattern {
        GraphPattern::OrderBy { inner, expression } => {
            let inner = recurse(inner);
            GraphPattern::OrderBy {
                inner: guarded(*inner, BUFFER_GUARD_IRI, next),
                expression,
            }
        }
        GraphPattern::Group {
            inner,
            variables,
            aggregates,
        } => GraphPattern::Group {
            inner: recurse(inner),
            variables,
            aggregates,
        },
        GraphPattern::Distinct { inner } => {
            let inner = recurse(inner);
            GraphPattern::Distinct {
                inner: guarded(*inner, BUFFER_GUARD_IRI, next),
            }
        }
        GraphPattern::Join { left, right } => GraphPattern::Join {
            left: recurse(left),
            right: recurse(right),
        },
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => GraphPattern::LeftJoin {
            left: recurse(left),
            right: recurse(right),
            expression,
        },
        GraphPattern::Lateral { left, right } => GraphPattern::Lateral {
            left: recurse(left),
            right: recurse(right),
        },
        GraphPattern::Filter { expr, inner } => GraphPattern::Filter {
            expr,
            inner: recurse(inner),
        },
        GraphPattern::Union { left, right } => GraphPattern::Union {
            left: recurse(left),
            right: recurse(right),
        },
        GraphPattern::Graph { name, inner } => GraphPattern::Graph {
            name,
            inner: recurse(inner),
        },
        GraphPattern::Extend {
            inner,
            variable,
            expression,
        } => GraphPattern::Extend {
            inner: recurse(inner),
            variable,
            expression,
        },
        GraphPattern::Minus { left, right } => GraphPattern::Minus {
            left: recurse(left),
            right: recurse(right),
        },
        GraphPattern::Project { inner, variables } => GraphPattern::Project {
            inner: recurse(inner),
            variables,
        },
        GraphPattern::Reduced { inner } => GraphPattern::Reduced {
            inner: recurse(inner),
        },
        GraphPattern::Slice {
            inner,
            start,
            length,
        } => GraphPattern::Slice {
            inner: recurse(inner),
            start,
            length,
        },
        GraphPattern::Service {
            name,
            inner,
            silent,
        } => GraphPattern::Service {
            name,
            inner: recurse(inner),
            silent,
        },
        leaf @ (GraphPattern::Bgp { .. }
        | GraphPattern::Path { .. }
        | GraphPattern::Values { .. }) => leaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spargebra::SparqlParser;

    #[test]
    fn add_guards_wraps_order_and_distinct() {
        let query = SparqlParser::new()
            .parse_query(
                "SELECT DISTINCT ?s (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?n",
            )
            .unwrap();
        let text = add_guards(query).to_string();
        assert_eq!(text.matches(BUFFER_GUARD_IRI).count(), 2, "{text}");
    }

    #[test]
    fn add_guards_leaves_plain_patterns() {
        let query = SparqlParser::new().parse_query("ASK { ?s ?p ?o }").unwrap();
        let text = add_guards(query).to_string();
        assert!(!text.contains(BUFFER_GUARD_IRI), "{text}");
    }
}
