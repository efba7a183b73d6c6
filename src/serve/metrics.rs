//! Prometheus metrics in the text exposition format (version 0.0.4), written by hand.
//!
//! - `rxgraph_http_requests_total{route,method,status}`: counter.
//! - `rxgraph_http_request_duration_seconds{route,status}`: histogram.
//! - `rxgraph_sparql_timeouts_total`, `rxgraph_sparql_budget_exceeded_total`,
//!   `rxgraph_sparql_truncated_total`: counters of stopped and truncated queries.
//! - `rxgraph_info{version,model,graph_hash}`: gauge fixed at 1 that carries the versions.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS_S: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS_S.len()],
    count: u64,
    sum_s: f64,
}

/// Counters and histograms of one route.
#[derive(Default)]
struct RouteMetrics {
    /// Requests by method and status.
    requests: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Latency by status.
    latency: BTreeMap<u16, Histogram>,
}

/// Counters and histograms of one server.
#[derive(Default)]
pub struct Metrics {
    /// Counters and histograms by matched route. The maps are keyed by name rather than by tuples, so that recording
    /// a request looks the strings up without copying them.
    routes: Mutex<BTreeMap<String, RouteMetrics>>,
    /// SPARQL queries stopped at their deadline.
    pub sparql_timeouts: AtomicU64,
    /// SPARQL queries stopped because sorts or DISTINCTs buffered too many solutions.
    pub sparql_budget_exceeded: AtomicU64,
    /// SPARQL responses cut at the row cap.
    pub sparql_truncated: AtomicU64,
}

/// Labels of the info gauge.
pub struct Info<'a> {
    /// rxgraph version.
    pub version: &'a str,
    /// Model identifier, empty without a model.
    pub model: &'a str,
    /// Graph hash of the work directory, empty while loading.
    pub graph_hash: &'a str,
}

impl Metrics {
    /// Records one finished request; `route` is the matched pattern, not the raw path.
    pub fn record(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().expect("metrics lock");
        let metrics = entry(&mut routes, route);
        *entry(&mut metrics.requests, method)
            .entry(status)
            .or_default() += 1;

        let seconds = elapsed.as_secs_f64();
        let histogram = metrics.latency.entry(status).or_default();
        for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS_S) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        histogram.count += 1;
        histogram.sum_s += seconds;
    }

    /// Writes every metric in the Prometheus text format.
    #[must_use]
    pub fn render(&self, info: &Info<'_>) -> String {
        let mut out = String::new();
        out.push_str("# HELP rxgraph_info Versions of the server, model and data.\n");
        out.push_str("# TYPE rxgraph_info gauge\n");
        let _ = writeln!(
            out,
            "rxgraph_info{{version=\"{}\",model=\"{}\",graph_hash=\"{}\"}} 1",
            escape(info.version),
            escape(info.model),
            escape(info.graph_hash)
        );

        out.push_str(
            "# HELP rxgraph_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE rxgraph_http_requests_total counter\n");
        let routes = self.routes.lock().expect("metrics lock");
        for (route, metrics) in routes.iter() {
            for (method, statuses) in &metrics.requests {
                for (status, count) in statuses {
                    let _ = writeln!(
                        out,
                        "rxgraph_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                        escape(route),
                        escape(method)
                    );
                }
            }
        }

        out.push_str(
            "# HELP rxgraph_http_request_duration_seconds Time from request to response.\n",
        );
        out.push_str("# TYPE rxgraph_http_request_duration_seconds histogram\n");
        for (route, metrics) in routes.iter() {
            for (status, histogram) in &metrics.latency {
                let labels = format!("route=\"{}\",status=\"{status}\"", escape(route));
                for (count, bound) in histogram.buckets.iter().zip(BUCKETS_S) {
                    let _ = writeln!(
                        out,
                        "rxgraph_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "rxgraph_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    histogram.count
                );
                let _ = writeln!(
                    out,
                    "rxgraph_http_request_duration_seconds_sum{{{labels}}} {}",
                    histogram.sum_s
                );
                let _ = writeln!(
                    out,
                    "rxgraph_http_request_duration_seconds_count{{{labels}}} {}",
                    histogram.count
                );
            }
        }
        drop(routes);

        for (name, help, value) in [
            (
                "rxgraph_sparql_timeouts_total",
                "SPARQL queries stopped at their deadline.",
                &self.sparql_timeouts,
            ),
            (
                "rxgraph_sparql_budget_exceeded_total",
                "SPARQL queries stopped because sorts or DISTINCTs buffered too many solutions.",
                &self.sparql_budget_exceeded,
            ),
            (
                "rxgraph_sparql_truncated_total",
                "SPARQL responses cut at the row cap.",
                &self.sparql_truncated,
            ),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        out
    }
}

/// Returns the value of `key` in `map`, inserted as the default when missing. Unlike
/// `BTreeMap::entry`, it copies the key only when inserting.
fn entry<'a, V: Default>(map: &'a mut BTreeMap<String, V>, key: &str) -> &'a mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("inserted above")
}

/// Escapes a label value (backslash, double quote, line feed).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_counts_requests_and_buckets() {
        let metrics = Metrics::default();
        metrics.record("/sparql", "GET", 200, Duration::from_millis(3));
        metrics.record("/sparql", "GET", 200, Duration::from_millis(30));
        let text = metrics.render(&Info {
            version: "0.1.0",
            model: "",
            graph_hash: "ab\"c",
        });
        assert!(text.contains(
            "rxgraph_http_requests_total{route=\"/sparql\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text
            .contains("duration_seconds_bucket{route=\"/sparql\",status=\"200\",le=\"0.005\"} 1"));
        assert!(text
            .contains("duration_seconds_bucket{route=\"/sparql\",status=\"200\",le=\"+Inf\"} 2"));
        assert!(text.contains("graph_hash=\"ab\\\"c\""));
    }
}
