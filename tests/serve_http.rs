//! `rxgraph serve` over real HTTP: the embedded Hetionet graph is ingested with the binary
//! once, servers start on loopback ports, and requests go through `ureq` (REST and SPARQL)
//! and through Python's SPARQLWrapper and rdflib (`tests/sparql_clients.py`).
//!
//! Two servers are shared by the tests: a plain one (no model, small limits) and one with a
//! test-only scorer (degree sum, not a trained model) that exercises the prediction routes,
//! the predictions graph and `rx:score`.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use rxgraph::kg::{KnowledgeGraph, RelationId, Triple};
use rxgraph::model::LinkScorer;
use rxgraph::serve::{Loaded, ModelHandle, ServeConfig, Server, OPENAPI_JSON};
use serde_json::{json, Value};

const ASPIRIN_IRI: &str = "https://identifiers.org/drugbank:DB00945";
const PREDICTIONS_GRAPH: &str = "https://w3id.org/rxgraph/vocab#predictions";

/// Ingests the embedded graph once per run into the test binary's scratch directory under
/// `target/`, replacing the previous run's copy, so runs do not pile up work directories.
fn workdir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve_http_work");
        Command::cargo_bin("rxgraph")
            .unwrap()
            .args(["--quiet", "ingest", "--force", "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    })
}

/// Scores a triple by ln(1 + degree) of both ends. A test fixture, not a trained model.
struct DegreeSum {
    log_degree: Vec<f32>,
}

impl DegreeSum {
    fn new(graph: &KnowledgeGraph) -> Self {
        #[allow(clippy::cast_precision_loss)]
        let log_degree = (0..graph.node_count())
            .map(|i| (1.0 + graph.degree(u32::try_from(i).unwrap()) as f32).ln())
            .collect();
        Self { log_degree }
    }

    fn score(&self, head: u32, tail: u32) -> f32 {
        self.log_degree[head as usize] + self.log_degree[tail as usize]
    }
}

impl LinkScorer for DegreeSum {
    fn score_tails(&self, heads: &[u32], _: RelationId, candidates: Range<u32>) -> Vec<f32> {
        heads
            .iter()
            .flat_map(|&h| candidates.clone().map(move |t| self.score(h, t)))
            .collect()
    }

    fn score_heads(&self, tails: &[u32], _: RelationId, candidates: Range<u32>) -> Vec<f32> {
        tails
            .iter()
            .flat_map(|&t| candidates.clone().map(move |h| self.score(h, t)))
            .collect()
    }

    fn score_triples(&self, triples: &[Triple]) -> Vec<f32> {
        triples.iter().map(|t| self.score(t.head, t.tail)).collect()
    }

    fn name(&self) -> &str {
        "test degree sum"
    }
}

fn loopback() -> ServeConfig {
    ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        timeout: Duration::from_millis(1500),
        max_rows: 5000,
        max_sort_rows: 20_000,
        max_request_bytes: 8192,
        max_score_pairs: 3,
        cors_origins: vec!["https://dashboard.example".into()],
        predictions_top_n: 5,
        workers: 2,
        ..ServeConfig::default()
    }
}

fn start(config: ServeConfig, with_model: bool) -> String {
    let dir = workdir().to_owned();
    let mut server = Server::start(config, move |config| {
        Loaded::open(
            &dir,
            |graph| {
                Ok(with_model.then(|| ModelHandle {
                    scorer: Arc::new(DegreeSum::new(graph)),
                    id: "test-degree-sum".into(),
                    card: json!({ "kind": "test fixture" }),
                    dir: None,
                    split: None,
                }))
            },
            config,
        )
    })
    .unwrap();
    server.wait_loaded().unwrap();
    let url = format!("http://{}", server.addr());
    // The server runs until the test process ends.
    std::mem::forget(server);
    url
}

fn plain() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| start(loopback(), false))
}

fn with_model() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        start(
            ServeConfig {
                allow_update: true,
                ..loopback()
            },
            true,
        )
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

struct Reply {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
    let mut response = response.unwrap();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    Reply {
        status: response.status().as_u16(),
        headers,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(url: &str) -> Reply {
    reply(agent().get(url).call())
}

fn get_accept(url: &str, accept: &str) -> Reply {
    reply(agent().get(url).header("Accept", accept).call())
}

fn post(url: &str, content_type: &str, body: &str) -> Reply {
    reply(
        agent()
            .post(url)
            .header("Content-Type", content_type)
            .send(body),
    )
}

fn sparql_url(base: &str, query: &str) -> String {
    format!(
        "{base}/sparql?{}",
        serde_urlencoded::to_string([("query", query)]).unwrap()
    )
}

fn assert_error(reply: &Reply, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["error"]["status"], status, "{}", reply.body);
    assert!(body["error"]["reason"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
}

/// Returns the values of one variable of a SPARQL JSON result.
fn column(results: &Value, variable: &str) -> Vec<String> {
    results["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b[variable]["value"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn query_file(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("queries")
            .join(name),
    )
    .unwrap()
}

#[test]
fn healthz_reports_counts() {
    let reply = get(&format!("{}/healthz", plain()));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["nodes"], 47_031);
    assert_eq!(body["edges"], 333_582);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(body["model"].is_null());
}

#[test]
fn healthz_is_503_while_loading() {
    let (release, released) = std::sync::mpsc::channel::<()>();
    let dir = workdir().to_owned();
    let mut server = Server::start(loopback(), move |config| {
        released.recv().unwrap();
        Loaded::open(&dir, |_| Ok(None), config)
    })
    .unwrap();
    let base = format!("http://{}", server.addr());

    let loading = get(&format!("{base}/healthz"));
    assert_eq!(loading.status, 503);
    assert_eq!(loading.json()["status"], "loading");
    assert_error(&get(&format!("{base}/api/v1/entities?q=aspirin")), 503);

    release.send(()).unwrap();
    server.wait_loaded().unwrap();
    assert_eq!(get(&format!("{base}/healthz")).status, 200);
    server.stop();
}

#[test]
fn openapi_paths_match_routes() {
    let document: Value = serde_json::from_str(OPENAPI_JSON).unwrap();
    let documented: BTreeSet<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = rxgraph::serve::routes()
        .into_iter()
        .map(|(method, path)| (method, path.to_owned()))
        .collect();
    assert_eq!(documented, routed);

    let served = get(&format!("{}/api/v1/openapi.json", plain()));
    assert_eq!(served.status, 200);
    assert_eq!(served.json(), document);
}

#[test]
fn entity_search_ranks_matches() {
    let reply = get(&format!(
        "{}/api/v1/entities?q=acetylsalicylic&kind=Compound&limit=5",
        plain()
    ));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["results"][0]["id"], "Compound::DB00945");
    assert_eq!(body["results"][0]["match"], "name_prefix");

    let by_id = get(&format!("{}/api/v1/entities?q=DB00945", plain())).json();
    assert_eq!(by_id["results"][0]["match"], "exact_id");

    let diseases = get(&format!(
        "{}/api/v1/entities?q=cancer&kind=Disease&limit=3",
        plain()
    ))
    .json();
    assert_eq!(diseases["count"], 3);
    for hit in diseases["results"].as_array().unwrap() {
        assert_eq!(hit["kind"], "Disease");
    }
}

#[test]
fn entity_search_falls_back_to_fuzzy() {
    let reply = get(&format!(
        "{}/api/v1/entities?q=type%202%20diabtes&kind=Disease&limit=5",
        plain()
    ));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let results = body["results"].as_array().unwrap();
    assert!(!results.is_empty(), "{body}");
    assert_eq!(results[0]["id"], "Disease::DOID:9352");
    for hit in results {
        assert_eq!(hit["match"], "fuzzy", "{hit}");
    }

    // Without a kind, nodes of every kind compete and the disease is still listed.
    let all = get(&format!("{}/api/v1/entities?q=type%202%20diabtes", plain())).json();
    let ids: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"Disease::DOID:9352"), "{ids:?}");

    let exact = get(&format!(
        "{}/api/v1/entities?q=asthma&kind=Disease",
        plain()
    ))
    .json();
    assert_eq!(exact["results"][0]["match"], "exact_name");
}

#[test]
fn entity_search_rejects_bad_parameters() {
    assert_error(&get(&format!("{}/api/v1/entities", plain())), 400);
    let long = "b".repeat(257);
    assert_error(
        &get(&format!("{}/api/v1/entities?q={long}", plain())),
        400,
    );
    assert_error(
        &get(&format!("{}/api/v1/entities?q=a&limit=0", plain())),
        400,
    );
    assert_error(
        &get(&format!("{}/api/v1/entities?q=a&limit=many", plain())),
        400,
    );
    assert_error(
        &get(&format!("{}/api/v1/entities?q=a&kind=Planet", plain())),
        400,
    );
}

#[test]
fn entity_lookup_gives_degrees() {
    let reply = get(&format!("{}/api/v1/entities/DB00945", plain()));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["name"], "Acetylsalicylic acid");
    assert_eq!(body["iri"], ASPIRIN_IRI);
    assert_eq!(body["degree"], 32);
    let treats = body["degree_by_relation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["relation"] == "CtD")
        .unwrap()
        .clone();
    assert_eq!(
        treats,
        json!({ "relation": "CtD", "direction": "out", "count": 2 })
    );

    let full_id = get(&format!("{}/api/v1/entities/Compound::DB00945", plain()));
    assert_eq!(full_id.status, 200);
    assert_error(
        &get(&format!("{}/api/v1/entities/DB99999999", plain())),
        404,
    );
}

#[test]
fn routes_without_model_are_503() {
    let base = plain();
    let reply = get(&format!(
        "{base}/api/v1/predictions?source=DB00945&relation=CtD&k=20&explain=true"
    ));
    assert_error(&reply, 503);
    assert_eq!(
        reply.json()["error"]["reason"],
        "model not loaded; train one with rxgraph train"
    );
    assert_error(&get(&format!("{base}/api/v1/model")), 503);
    let pairs = r#"[{"head": "DB00945", "relation": "CtD", "tail": "DOID:1612"}]"#;
    assert_error(
        &post(&format!("{base}/api/v1/score"), "application/json", pairs),
        503,
    );
}

#[test]
fn predictions_validate_before_model() {
    let base = plain();
    assert_error(
        &get(&format!(
            "{base}/api/v1/predictions?source=DB99999999&relation=CtD"
        )),
        404,
    );
    assert_error(
        &get(&format!(
            "{base}/api/v1/predictions?source=DB00945&relation=XyZ"
        )),
        400,
    );
    assert_error(
        &get(&format!(
            "{base}/api/v1/predictions?source=DB00945&relation=GiG"
        )),
        422,
    );
    assert_error(
        &get(&format!(
            "{base}/api/v1/predictions?source=DB00945&relation=CtD&k=0"
        )),
        400,
    );
    assert_error(
        &get(&format!("{base}/api/v1/predictions?relation=CtD")),
        400,
    );
}

#[test]
fn score_rejects_bad_bodies() {
    let url = format!("{}/api/v1/score", plain());
    let pair = r#"{"head": "DB00945", "relation": "CtD", "tail": "DOID:1612"}"#;
    let four = format!("[{pair},{pair},{pair},{pair}]");
    assert_error(&post(&url, "application/json", &four), 413);
    assert_error(&post(&url, "application/json", &"x".repeat(10_000)), 413);
    assert_error(&post(&url, "application/json", "[{"), 400);
    assert_error(&post(&url, "text/plain", "[]"), 415);
    let wrong_kinds = r#"[{"head": "DOID:1612", "relation": "CtD", "tail": "DB00945"}]"#;
    assert_error(&post(&url, "application/json", wrong_kinds), 422);
    let unknown = r#"[{"head": "DB99999999", "relation": "CtD", "tail": "DOID:1612"}]"#;
    assert_error(&post(&url, "application/json", unknown), 404);
}

#[test]
fn unknown_route_and_method_are_json() {
    assert_error(&get(&format!("{}/api/v2/nothing", plain())), 404);
    let reply = reply(agent().delete(&format!("{}/sparql", plain())).call());
    assert_error(&reply, 405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, POST"));
}

#[test]
fn head_answers_get_routes_without_body() {
    let base = plain();
    let head = reply(agent().head(&format!("{base}/api/v1/entities/DB00945")).call());
    let get = get(&format!("{base}/api/v1/entities/DB00945"));
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "{}", head.body);
    assert_eq!(head.header("content-length"), get.header("content-length"));

    let post_only = reply(agent().head(&format!("{base}/api/v1/score")).call());
    assert_eq!(post_only.status, 405);
    assert_eq!(post_only.header("allow"), Some("POST"));
}

#[test]
fn metrics_group_unknown_methods() {
    use std::io::{Read, Write};

    // HTTP clients send only known methods, so this one goes over a bare socket.
    let base = plain();
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "XYZZY /healthz HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 405"), "{response}");

    let text = get(&format!("{base}/metrics")).body;
    assert!(
        text.contains(r#"rxgraph_http_requests_total{route="/healthz",method="other",status="405"}"#),
        "{text}"
    );
    assert!(!text.contains("XYZZY"), "{text}");
}

#[test]
fn metrics_count_requests() {
    let base = plain();
    get(&format!("{base}/api/v1/entities/DB00945"));
    get(&format!("{base}/api/v1/entities/DB99999999"));
    let reply = get(&format!("{base}/metrics"));
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = reply.body;
    assert!(text.contains(r#"rxgraph_http_requests_total{route="/api/v1/entities/{id}",method="GET",status="200"}"#), "{text}");
    assert!(text.contains(
        r#"rxgraph_http_requests_total{route="/api/v1/entities/{id}",method="GET",status="404"}"#
    ));
    assert!(text.contains(r#"rxgraph_http_request_duration_seconds_bucket{route="/api/v1/entities/{id}",status="200",le="+Inf"}"#));
    assert!(text.contains(&format!(
        r#"rxgraph_info{{version="{}",model="",graph_hash=""#,
        env!("CARGO_PKG_VERSION")
    )));
    assert!(text.contains("rxgraph_sparql_timeouts_total"));
}

#[test]
fn cors_and_compression_apply() {
    let url = format!("{}/api/v1/entities?q=a&limit=100", plain());
    let allowed = reply(
        agent()
            .get(&url)
            .header("Origin", "https://dashboard.example")
            .call(),
    );
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://dashboard.example")
    );
    let other = reply(
        agent()
            .get(&url)
            .header("Origin", "https://elsewhere.example")
            .call(),
    );
    assert_eq!(other.header("access-control-allow-origin"), None);

    let mut compressed = agent()
        .get(&url)
        .header("Accept-Encoding", "gzip")
        .call()
        .unwrap();
    assert_eq!(
        compressed.headers().get("content-encoding").unwrap(),
        "gzip"
    );
    let mut decoder = flate2::read::GzDecoder::new(compressed.body_mut().as_reader());
    let mut text = String::new();
    std::io::Read::read_to_string(&mut decoder, &mut text).unwrap();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap()["count"], 100);
}

#[test]
fn sparql_get_and_post_agree() {
    let base = plain();
    let query = query_file("drug_indications.rq");
    let by_get = get(&sparql_url(base, &query));
    assert_eq!(by_get.status, 200);
    assert_eq!(
        by_get.header("content-type"),
        Some("application/sparql-results+json")
    );
    let form = serde_urlencoded::to_string([("query", query.as_str())]).unwrap();
    let by_form = post(
        &format!("{base}/sparql"),
        "application/x-www-form-urlencoded",
        &form,
    );
    let by_body = post(
        &format!("{base}/sparql"),
        "application/sparql-query",
        &query,
    );
    assert_eq!(by_form.json(), by_get.json());
    assert_eq!(by_body.json(), by_get.json());
    assert_eq!(
        column(&by_get.json(), "name"),
        ["Kawasaki disease", "coronary artery disease"]
    );
}

#[test]
fn sparql_negotiates_formats() {
    let base = plain();
    let select = sparql_url(base, &query_file("drug_indications.rq"));
    for (accept, content_type, marker) in [
        (
            "application/sparql-results+json",
            "application/sparql-results+json",
            "\"bindings\"",
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            "<sparql",
        ),
        ("text/csv", "text/csv; charset=utf-8", "disease,name"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            "?disease\t?name",
        ),
    ] {
        let reply = get_accept(&select, accept);
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("content-type"), Some(content_type));
        assert!(reply.body.contains(marker), "{accept}: {}", reply.body);
    }

    let construct = sparql_url(
        base,
        &format!("CONSTRUCT {{ <{ASPIRIN_IRI}> ?p ?o }} WHERE {{ <{ASPIRIN_IRI}> ?p ?o }}"),
    );
    for (accept, marker) in [
        ("text/turtle", "@prefix"),
        ("application/n-triples", &format!("<{ASPIRIN_IRI}>") as &str),
        ("application/rdf+xml", "<rdf:RDF"),
    ] {
        let reply = get_accept(&construct, accept);
        assert_eq!(reply.status, 200, "{accept}");
        assert_eq!(reply.header("content-type"), Some(accept));
        assert!(
            reply.body.contains(marker) || accept == "text/turtle",
            "{accept}: {}",
            reply.body
        );
    }
    assert_error(&get_accept(&select, "image/png"), 406);
    assert_error(&get_accept(&select, "text/turtle"), 406);
    assert_error(
        &get_accept(&construct, "application/sparql-results+json"),
        406,
    );
}

#[test]
fn sparql_rejects_bad_requests() {
    let base = plain();
    assert_error(&get(&sparql_url(base, "SELECT WHERE {")), 400);
    assert_error(&get(&format!("{base}/sparql")), 400);
    assert_error(
        &post(
            &format!("{base}/sparql"),
            "application/sparql-update",
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        ),
        403,
    );
    assert_error(
        &post(
            &format!("{base}/sparql"),
            "application/x-www-form-urlencoded",
            "update=CLEAR%20ALL",
        ),
        403,
    );
    assert_error(
        &post(&format!("{base}/sparql"), "text/plain", "SELECT * {}"),
        415,
    );
    let long = format!("SELECT * WHERE {{ ?s ?p ?o }} # {}", "x".repeat(9000));
    assert_error(
        &post(&format!("{base}/sparql"), "application/sparql-query", &long),
        413,
    );
    assert_error(&get(&sparql_url(base, &long)), 413);
}

#[test]
fn sparql_dataset_parameters_apply() {
    let base = plain();
    let count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }";
    let with_default = format!(
        "{}&default-graph-uri={}",
        sparql_url(base, count),
        serde_urlencoded::to_string([("", PREDICTIONS_GRAPH)])
            .unwrap()
            .trim_start_matches('=')
    );
    let reply = get(&with_default);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(column(&reply.json(), "n"), ["0"]);

    let named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1";
    let reply = get(&format!(
        "{}&named-graph-uri=urn:x:none",
        sparql_url(base, named)
    ));
    assert_eq!(column(&reply.json(), "g"), Vec::<String>::new());
}

#[test]
fn sparql_row_cap_truncates() {
    let reply = get_accept(
        &sparql_url(plain(), "SELECT * WHERE { ?s ?p ?o }"),
        "text/tab-separated-values",
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-rxgraph-truncated"), Some("true"));
    assert_eq!(reply.body.lines().count(), 5001);
}

#[test]
fn sparql_order_by_whole_store_hits_budget() {
    let started = Instant::now();
    let reply = get(&sparql_url(
        plain(),
        "SELECT * WHERE { ?s ?p ?o } ORDER BY ?o",
    ));
    assert_error(&reply, 503);
    assert!(reply.json()["error"]["reason"]
        .as_str()
        .unwrap()
        .contains("20000"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn sparql_timeout_stops_heavy_query() {
    let base = plain();
    // A filter over both sides cannot be pushed below the cross join: 475k × 475k pairs.
    let heavy = sparql_url(
        base,
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i \
         FILTER(STRLEN(CONCAT(STR(?c), STR(?f), STR(?i))) < 0) }",
    );
    let started = Instant::now();
    let heavy_thread = std::thread::spawn(move || get(&heavy));

    std::thread::sleep(Duration::from_millis(300));
    let light_started = Instant::now();
    let light = get(&sparql_url(base, &query_file("drug_indications.rq")));
    assert_eq!(light.status, 200);
    assert!(
        light_started.elapsed() < Duration::from_secs(1),
        "{:?}",
        light_started.elapsed()
    );

    let reply = heavy_thread.join().unwrap();
    assert_error(&reply, 504);
    assert!(
        started.elapsed() < Duration::from_millis(3000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(get(&format!("{base}/healthz")).status, 200);
}

#[test]
fn sparql_timeout_stops_heavy_group() {
    let base = plain();
    // Every pair of the 475k triples enters the GROUP BY of the COUNT.
    let heavy = sparql_url(
        base,
        "SELECT ?b (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } GROUP BY ?b",
    );
    let started = Instant::now();
    let reply = get(&heavy);
    assert_error(&reply, 504);
    assert!(
        started.elapsed() < Duration::from_millis(3000),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn example_graph_queries_match_expected() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    for name in ["relation_counts", "drug_indications", "class_members"] {
        let reply = get_accept(
            &sparql_url(plain(), &query_file(&format!("{name}.rq"))),
            "text/tab-separated-values",
        );
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        let expected =
            std::fs::read_to_string(root.join("expected").join(format!("{name}.tsv"))).unwrap();
        assert_eq!(reply.body.trim_end(), expected.trim_end(), "{name}");
    }

    // The counts must also equal Hetionet's published metaedge counts.
    let published = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hetionet/metaedges.tsv"),
    )
    .unwrap();
    let published: HashMap<&str, &str> = published
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1], f[2])
        })
        .collect();
    let counts = get(&sparql_url(plain(), &query_file("relation_counts.rq"))).json();
    let relations = column(&counts, "relation");
    let edges = column(&counts, "edges");
    assert_eq!(relations.len(), 12);
    for (relation, count) in relations.iter().zip(&edges) {
        assert_eq!(published[relation.as_str()], count, "{relation}");
    }
}

#[test]
fn python_sparql_clients_parse_results() {
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sparql_clients.py");
    let output = std::process::Command::new(&python)
        .arg(&script)
        .arg(format!("{}/sparql", plain()))
        .output()
        .unwrap_or_else(|e| panic!("failed to run {}: {e}; run scripts/setup", python.display()));
    assert!(
        output.status.success(),
        "{}\n{}\n(SPARQLWrapper and rdflib come from scripts/setup)",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn predictions_rank_unknown_candidates() {
    let base = with_model();
    let reply = get(&format!(
        "{base}/api/v1/predictions?source=DB00945&relation=CtD&k=5"
    ));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["model"], "test-degree-sum");
    assert_eq!(body["direction"], "tails");
    let candidates = body["candidates"].as_array().unwrap();
    assert_eq!(candidates.len(), 5);
    let scores: Vec<f64> = candidates
        .iter()
        .map(|c| c["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    let ranks: Vec<u64> = candidates
        .iter()
        .map(|c| c["rank"].as_u64().unwrap())
        .collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
    let ids: Vec<&str> = candidates
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"Disease::DOID:3393"),
        "a known indication was predicted: {ids:?}"
    );

    let heads = get(&format!(
        "{base}/api/v1/predictions?source=DOID:3393&relation=CtD&k=3"
    ))
    .json();
    assert_eq!(heads["direction"], "heads");
    assert_eq!(heads["candidates"][0]["kind"], "Compound");

    // The server keeps rankings 5 deep (predictions_top_n), so k = 6 is scored per request
    // while k ≤ 5 comes from the rankings of start-up: both must agree.
    for (source, shallow) in [("DB00945", &body), ("DOID:3393", &heads)] {
        let deep = get(&format!(
            "{base}/api/v1/predictions?source={source}&relation=CtD&k=6"
        ))
        .json();
        let cut = shallow["candidates"].as_array().unwrap().len();
        assert_eq!(
            deep["candidates"].as_array().unwrap()[..cut],
            shallow["candidates"].as_array().unwrap()[..],
            "{source}: the scored ranking differs from the stored one"
        );
        assert_eq!(deep["total_candidates"], shallow["total_candidates"]);
        assert_eq!(deep["known_removed"], shallow["known_removed"]);
    }

    let explained = get(&format!(
        "{base}/api/v1/predictions?source=DB00945&relation=CtD&k=3&explain=true"
    ));
    assert_eq!(explained.status, 200, "{}", explained.body);
    let explained = explained.json();
    let first = &explained["candidates"][0];
    assert_eq!(
        first["id"], candidates[0]["id"],
        "explain changed the ranking"
    );
    let metapaths = first["explanation"]["metapaths"].as_array().unwrap();
    assert!(!metapaths.is_empty(), "no explanation paths: {first}");
    assert!(
        metapaths[0]["abbreviation"]
            .as_str()
            .unwrap()
            .starts_with('C'),
        "{first}"
    );
    assert!(first["passages"].is_array(), "{first}");
}

#[test]
fn score_route_and_sparql_function_agree() {
    let base = with_model();
    let pairs = r#"[{"head": "DB00945", "relation": "CtD", "tail": "DOID:3393"},
                    {"head": "DB00945", "relation": "CtD", "tail": "DOID:10763"}]"#;
    let reply = post(&format!("{base}/api/v1/score"), "application/json", pairs);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let scores = reply.json()["scores"].clone();
    assert_eq!(scores[0]["known"], true);
    assert_eq!(scores[1]["known"], false);

    let query = format!(
        "PREFIX rx: <https://w3id.org/rxgraph/vocab#> SELECT ?s WHERE {{ \
         BIND(rx:score(<{ASPIRIN_IRI}>, rx:CtD, <http://purl.obolibrary.org/obo/DOID_10763>) AS ?s) }}"
    );
    let sparql: f64 = column(&get(&sparql_url(base, &query)).json(), "s")[0]
        .parse()
        .unwrap();
    assert!((sparql - scores[1]["score"].as_f64().unwrap()).abs() < 1e-6);

    let by_strings = "PREFIX rx: <https://w3id.org/rxgraph/vocab#> \
                      SELECT ?s WHERE { BIND(rx:score(\"DB00945\", \"CtD\", \"DOID:10763\") AS ?s) }";
    let value: f64 = column(&get(&sparql_url(base, by_strings)).json(), "s")[0]
        .parse()
        .unwrap();
    assert!((value - sparql).abs() < 1e-9);

    let mismatch = format!(
        "PREFIX rx: <https://w3id.org/rxgraph/vocab#> SELECT ?s WHERE {{ \
         BIND(rx:score(<{ASPIRIN_IRI}>, rx:GiG, <{ASPIRIN_IRI}>) AS ?s) }}"
    );
    assert_eq!(column(&get(&sparql_url(base, &mismatch)).json(), "s"), [""]);
}

#[test]
fn model_card_is_served() {
    let reply = get(&format!("{}/api/v1/model", with_model()));
    assert_eq!(reply.status, 200);
    let body = reply.json();
    assert_eq!(body["id"], "test-degree-sum");
    assert_eq!(body["scorer"], "test degree sum");
    // Top 5 per compound for CtD and for CbG.
    assert_eq!(body["materialised_predictions"], 1552 * 5 * 2);
}

#[test]
fn example_prediction_queries_run() {
    let base = with_model();
    for (name, score_column, min_rows) in [
        ("disease_candidates.rq", "score", 1),
        ("drug_new_targets.rq", "score", 5),
        ("class_candidates.rq", "score", 22 * 5),
        ("predictions_with_facts.rq", "score", 1),
        ("score_on_the_fly.rq", "score", 10),
    ] {
        let reply = get(&sparql_url(base, &query_file(name)));
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        let scores: Vec<f64> = column(&reply.json(), score_column)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert!(
            scores.len() >= min_rows.min(50),
            "{name}: {} rows",
            scores.len()
        );
        if name != "drug_new_targets.rq" {
            assert!(
                scores.windows(2).all(|w| w[0] >= w[1]),
                "{name}: {scores:?}"
            );
        }
    }
    let targets = get(&sparql_url(base, &query_file("drug_new_targets.rq"))).json();
    assert_eq!(column(&targets, "rank"), ["1", "2", "3", "4", "5"]);
}

#[test]
fn sparql_update_changes_memory_copy_only() {
    let base = with_model();
    let update = "INSERT DATA { GRAPH <urn:x:notes> { <urn:x:a> <urn:x:b> \"note\" } }";
    let reply = post(
        &format!("{base}/sparql"),
        "application/sparql-update",
        update,
    );
    assert_eq!(reply.status, 204, "{}", reply.body);
    let ask = "ASK { GRAPH <urn:x:notes> { <urn:x:a> ?p ?o } }";
    assert_eq!(get(&sparql_url(base, ask)).json()["boolean"], true);

    let disk = rxgraph::kg::store::open_store(&workdir().join("store")).unwrap();
    let mut out = Vec::new();
    rxgraph::kg::query::run(&disk, ask, "json", &mut out).unwrap();
    assert!(String::from_utf8(out).unwrap().contains("false"));
}

#[test]
fn sparql_client_disconnect_cancels() {
    use std::io::Write;

    let base = plain();
    let address = base.trim_start_matches("http://");
    let heavy =
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f FILTER(STRLEN(CONCAT(STR(?c), STR(?f))) < 0) }";
    let path = sparql_url("", heavy);
    let mut socket = std::net::TcpStream::connect(address).unwrap();
    write!(
        socket,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\n\r\n"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(socket);

    let deadline = Instant::now() + Duration::from_secs(1);
    let closed = r#"rxgraph_http_requests_total{route="/sparql",method="GET",status="499"}"#;
    while !get(&format!("{base}/metrics")).body.contains(closed) {
        assert!(
            Instant::now() < deadline,
            "no 499 recorded within 1 s of the disconnect"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn trained_model_loads_and_serves() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve_http_model");
    std::fs::create_dir_all(&scratch).unwrap();
    let config = scratch.join("tiny.toml");
    let model_dir = scratch.join("model");
    let default =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.toml"))
            .unwrap();
    let tiny = default
        .replace("dim = 64", "dim = 8")
        .replace("epochs = 6", "epochs = 1")
        .replace("negatives = 32", "negatives = 2")
        .replace("validate_every = 2", "validate_every = 1");
    std::fs::write(&config, tiny).unwrap();
    let _ = std::fs::remove_dir_all(&model_dir);
    Command::cargo_bin("rxgraph")
        .unwrap()
        .args(["--quiet", "train", "--device", "cpu", "--workdir"])
        .arg(workdir())
        .arg("--config")
        .arg(&config)
        .arg("--out")
        .arg(&model_dir)
        .assert()
        .success();

    let dir = workdir().to_owned();
    let mut server = Server::start(
        ServeConfig {
            predictions_top_n: 1,
            ..loopback()
        },
        move |config| {
            Loaded::open(
                &dir,
                |graph| ModelHandle::load(&model_dir, graph).map(Some),
                config,
            )
        },
    )
    .unwrap();
    server.wait_loaded().unwrap();
    let base = format!("http://{}", server.addr());

    let model = get(&format!("{base}/api/v1/model")).json();
    assert!(
        model["id"].as_str().unwrap().starts_with("transe-"),
        "{model}"
    );
    assert_eq!(model["materialised_predictions"], 1552 * 2);
    let top = get(&format!(
        "{base}/api/v1/predictions?source=DB00945&relation=CtD&k=3"
    ));
    assert_eq!(top.status, 200, "{}", top.body);
    let first = top.json()["candidates"][0].clone();
    let query = format!(
        "PREFIX rx: <https://w3id.org/rxgraph/vocab#> SELECT ?s WHERE {{ \
         BIND(rx:score(<{ASPIRIN_IRI}>, rx:CtD, <{}>) AS ?s) }}",
        first["iri"].as_str().unwrap()
    );
    let sparql: f64 = column(&get(&sparql_url(&base, &query)).json(), "s")[0]
        .parse()
        .unwrap();
    assert!((sparql - first["score"].as_f64().unwrap()).abs() < 1e-5);
    server.stop();
}
