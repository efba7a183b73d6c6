//! Content negotiation for SPARQL results: picks a format from the `Accept` header.

use oxigraph::io::RdfFormat;
use oxigraph::sparql::results::QueryResultsFormat;

use crate::serve::error::ApiError;

/// Serialisation of a query's results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// SELECT solutions or an ASK boolean.
    Results(QueryResultsFormat),
    /// CONSTRUCT or DESCRIBE triples.
    Graph(RdfFormat),
}

impl Output {
    /// Returns the `Content-Type` of the response.
    #[must_use]
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Results(QueryResultsFormat::Json) => "application/sparql-results+json",
            Self::Results(QueryResultsFormat::Xml) => "application/sparql-results+xml",
            Self::Results(QueryResultsFormat::Csv) => "text/csv; charset=utf-8",
            Self::Results(QueryResultsFormat::Tsv) => "text/tab-separated-values; charset=utf-8",
            Self::Graph(RdfFormat::NTriples) => "application/n-triples",
            Self::Graph(RdfFormat::RdfXml) => "application/rdf+xml",
            Self::Results(_) | Self::Graph(_) => "text/turtle",
        }
    }
}

/// Media types offered for SELECT and ASK, in order of preference.
const RESULTS: [(&str, QueryResultsFormat); 6] = [
    ("application/sparql-results+json", QueryResultsFormat::Json),
    ("application/json", QueryResultsFormat::Json),
    ("application/sparql-results+xml", QueryResultsFormat::Xml),
    ("application/xml", QueryResultsFormat::Xml),
    ("text/csv", QueryResultsFormat::Csv),
    ("text/tab-separated-values", QueryResultsFormat::Tsv),
];

/// Media types offered for CONSTRUCT and DESCRIBE, in order of preference.
const GRAPHS: [(&str, RdfFormat); 4] = [
    ("text/turtle", RdfFormat::Turtle),
    ("application/n-triples", RdfFormat::NTriples),
    ("text/plain", RdfFormat::NTriples),
    ("application/rdf+xml", RdfFormat::RdfXml),
];

/// Picks the output for a query: `graph` is true for CONSTRUCT and DESCRIBE.
///
/// The offered type with the highest `q` wins; among equal `q`, the more specific media range
/// and then the server's order of preference decide. A missing or empty `Accept` gets the
/// first offered type.
///
/// # Errors
/// [`ApiError::NotAcceptable`] when no offered type is acceptable.
pub fn negotiate(accept: Option<&str>, graph: bool) -> Result<Output, ApiError> {
    let offers: Vec<(&str, Output)> = if graph {
        GRAPHS.iter().map(|&(m, f)| (m, Output::Graph(f))).collect()
    } else {
        RESULTS
            .iter()
            .map(|&(m, f)| (m, Output::Results(f)))
            .collect()
    };
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        return Ok(offers[0].1);
    };

    let ranges = parse_accept(accept);
    let mut best: Option<(f32, u8, usize)> = None;
    for (position, (media, _)) in offers.iter().enumerate() {
        let Some((q, specificity)) = ranges
            .iter()
            .filter_map(|range| range.matches(media).map(|s| (range.q, s)))
            .max_by(|a, b| a.1.cmp(&b.1))
        else {
            continue;
        };
        if q <= 0.0 {
            continue;
        }
        let better = best
            .is_none_or(|(best_q, best_s, _)| q > best_q || (q == best_q && specificity > best_s));
        if better {
            best = Some((q, specificity, position));
        }
    }
    best.map(|(_, _, position)| offers[position].1)
        .ok_or_else(|| ApiError::NotAcceptable {
            accept: accept.to_owned(),
            available: offers
                .iter()
                .map(|(m, _)| *m)
                .collect::<Vec<_>>()
                .join(", "),
        })
}

struct MediaRange {
    kind: String,
    subtype: String,
    q: f32,
}

impl MediaRange {
    /// Returns how specifically this range matches `media` (2 exact, 1 `type/*`, 0 `*/*`).
    fn matches(&self, media: &str) -> Option<u8> {
        let (kind, subtype) = media.split_once('/')?;
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(0),
            (k, "*") if k == kind => Some(1),
            (k, s) if k == kind && s == subtype => Some(2),
            _ => None,
        }
    }
}

fn parse_accept(accept: &str) -> Vec<MediaRange> {
    accept
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let media = parts.next()?.trim().to_ascii_lowercase();
            let (kind, subtype) = media.split_once('/')?;
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|v| v.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            Some(MediaRange {
                kind: kind.to_owned(),
                subtype: subtype.to_owned(),
                q,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiate_defaults_and_exact_types() {
        assert_eq!(
            negotiate(None, false).unwrap(),
            Output::Results(QueryResultsFormat::Json)
        );
        assert_eq!(
            negotiate(None, true).unwrap(),
            Output::Graph(RdfFormat::Turtle)
        );
        assert_eq!(
            negotiate(Some("text/csv"), false).unwrap(),
            Output::Results(QueryResultsFormat::Csv)
        );
        assert_eq!(
            negotiate(Some("application/n-triples"), true).unwrap(),
            Output::Graph(RdfFormat::NTriples)
        );
    }

    #[test]
    fn negotiate_weighs_q_and_wildcards() {
        let accept = "application/sparql-results+xml;q=0.5, text/tab-separated-values";
        assert_eq!(
            negotiate(Some(accept), false).unwrap(),
            Output::Results(QueryResultsFormat::Tsv)
        );
        assert_eq!(
            negotiate(Some("*/*;q=0.1, application/sparql-results+xml"), false).unwrap(),
            Output::Results(QueryResultsFormat::Xml)
        );
        assert_eq!(
            negotiate(Some("text/*"), true).unwrap(),
            Output::Graph(RdfFormat::Turtle)
        );
    }

    #[test]
    fn negotiate_rejects_unacceptable() {
        assert!(matches!(
            negotiate(Some("image/png"), false),
            Err(ApiError::NotAcceptable { .. })
        ));
        assert!(matches!(
            negotiate(Some("text/turtle"), false),
            Err(ApiError::NotAcceptable { .. })
        ));
        assert!(matches!(
            negotiate(Some("text/csv;q=0"), false),
            Err(ApiError::NotAcceptable { .. })
        ));
    }
}
