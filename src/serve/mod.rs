//! The HTTP server behind `rxgraph serve`: a JSON API, a SPARQL 1.1 endpoint, health and
//! Prometheus metrics, on actix-web.
//!
//! Routes (all documented in `openapi.json`, served at `/api/v1/openapi.json`):
//! - `GET /healthz`, `GET /metrics`;
//! - `GET /api/v1/entities`, `GET /api/v1/entities/{id}`, `GET /api/v1/predictions`,
//!   `POST /api/v1/score`, `GET /api/v1/model`, `GET /api/v1/openapi.json`;
//! - `GET|POST /sparql` (see [`sparql`]).
//!
//! [`Server::start`] binds first and loads in the background, so `/healthz` returns 503
//! until the graph is loaded. Every error is JSON (see [`ApiError`]).
//!
//! ```no_run
//! use rxgraph::serve::{Loaded, ServeConfig, Server};
//!
//! let mut config = ServeConfig::default();
//! config.bind = "127.0.0.1:0".parse().unwrap();
//! let mut server = Server::start(config, |config| {
//!     Loaded::open(std::path::Path::new("work"), |_| Ok(None), config)
//! })
//! .unwrap();
//! server.wait_loaded().unwrap();
//! println!("serving on http://{}", server.addr());
//! server.stop();
//! ```

mod body;
mod config;
mod error;
mod health;
mod metrics;
pub mod predictions;
mod rest;
pub mod search;
pub mod sparql;
mod state;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use actix_web::dev::{ServerHandle, Service};
use actix_web::http::Method;
use actix_web::middleware::{Compress, Condition};
use actix_web::{guard, web, App, HttpRequest, HttpResponse, HttpServer, Route};
use anyhow::Context;
use tracing::Instrument;

pub use config::ServeConfig;
pub use error::ApiError;
pub use rest::OPENAPI_JSON;
pub use state::{predictions_graph, AppState, Loaded, ModelHandle, Readiness};

/// One route: method, path pattern and handler.
struct RouteSpec {
    method: Method,
    path: &'static str,
    route: Route,
}

/// Builds a route for `method`. A GET route also serves HEAD, as HTTP requires: the server
/// sends the headers of the GET response without its body.
fn spec(method: Method, path: &'static str, route: Route) -> RouteSpec {
    let route = if method == Method::GET {
        route.guard(guard::Any(guard::Get()).or(guard::Head()))
    } else {
        route.method(method.clone())
    };
    RouteSpec {
        method,
        path,
        route,
    }
}

/// Lists every route of the server; registration and [`routes`] both read this table.
fn route_table() -> Vec<RouteSpec> {
    vec![
        spec(Method::GET, "/healthz", web::route().to(health::healthz)),
        spec(Method::GET, "/metrics", web::route().to(health::metrics)),
        spec(
            Method::GET,
            "/api/v1/openapi.json",
            web::route().to(rest::openapi),
        ),
        spec(
            Method::GET,
            "/api/v1/entities",
            web::route().to(rest::search),
        ),
        spec(
            Method::GET,
            "/api/v1/entities/{id}",
            web::route().to(rest::entity),
        ),
        spec(
            Method::GET,
            "/api/v1/predictions",
            web::route().to(rest::predictions),
        ),
        spec(Method::POST, "/api/v1/score", web::route().to(rest::score)),
        spec(Method::GET, "/api/v1/model", web::route().to(rest::model)),
        spec(Method::GET, "/sparql", web::route().to(sparql::get)),
        spec(Method::POST, "/sparql", web::route().to(sparql::post)),
    ]
}

/// Returns the (method, path pattern) of every route, e.g. `("GET", "/api/v1/entities/{id}")`.
#[must_use]
pub fn routes() -> Vec<(String, &'static str)> {
    route_table()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect()
}

fn configure(config: &mut web::ServiceConfig) {
    let mut by_path: Vec<(&'static str, Vec<Route>)> = Vec::new();
    for spec in route_table() {
        match by_path.iter_mut().find(|(path, _)| *path == spec.path) {
            Some((_, routes)) => routes.push(spec.route),
            None => by_path.push((spec.path, vec![spec.route])),
        }
    }
    for (path, routes) in by_path {
        let allowed = allowed_methods(path);
        let mut resource =
            web::resource(path).default_service(web::to(move |request: HttpRequest| {
                let allowed = allowed.clone();
                async move { method_not_allowed(&request, allowed) }
            }));
        for route in routes {
            resource = resource.route(route);
        }
        config.service(resource);
    }
}

/// Returns the metrics label of `method`: its name for the standard methods, `other` for
/// the rest, so that clients cannot add a series per made-up method.
fn method_label(method: &Method) -> &str {
    match *method {
        Method::GET
        | Method::HEAD
        | Method::POST
        | Method::PUT
        | Method::DELETE
        | Method::CONNECT
        | Method::OPTIONS
        | Method::TRACE
        | Method::PATCH => method.as_str(),
        _ => "other",
    }
}

/// Returns the methods of the route at `path` for an `Allow` header, with HEAD after GET.
fn allowed_methods(path: &str) -> String {
    let mut methods = Vec::new();
    for spec in route_table().into_iter().filter(|spec| spec.path == path) {
        methods.push(spec.method.to_string());
        if spec.method == Method::GET {
            methods.push(Method::HEAD.to_string());
        }
    }
    methods.join(", ")
}

fn method_not_allowed(request: &HttpRequest, allowed: String) -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed {
        method: request.method().to_string(),
        path: request.path().to_owned(),
        allowed,
    })
}

async fn no_route(request: HttpRequest) -> Result<HttpResponse, ApiError> {
    Err(ApiError::NoRoute {
        method: request.method().to_string(),
        path: request.path().to_owned(),
    })
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST"])
        .allowed_headers(["Content-Type", "Accept"])
        .expose_headers(["X-Rxgraph-Truncated"])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

static NEXT_REQUEST_ID: AtomicU64 = AtomicU64::new(1);

/// A running server: its address, and handles to wait for loading and to stop it.
pub struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    state: web::Data<AppState>,
    http_thread: Option<JoinHandle<std::io::Result<()>>>,
    loader: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds `config.bind`, starts serving (503 until loaded) and runs `load` on a
    /// background thread.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub fn start<F>(config: ServeConfig, load: F) -> anyhow::Result<Self>
    where
        F: FnOnce(&ServeConfig) -> anyhow::Result<Loaded> + Send + 'static,
    {
        let state = web::Data::new(AppState::new(config.clone()));
        let (sender, receiver) = std::sync::mpsc::channel();
        let app_state = state.clone();
        let http_thread = std::thread::Builder::new()
            .name("http".into())
            .spawn(move || run_http(&config, app_state, &sender))
            .context("failed to start the HTTP thread")?;
        let (addr, handle) = receiver
            .recv()
            .context("the HTTP thread ended before binding")?
            .with_context(|| format!("failed to bind {}", state.config.bind))?;
        tracing::info!(%addr, "listening");

        let loader_state = state.clone();
        let loader = std::thread::Builder::new()
            .name("loader".into())
            .spawn(move || {
                let readiness = match load(&loader_state.config) {
                    Ok(loaded) => Readiness::Ready(std::sync::Arc::new(loaded)),
                    Err(error) => {
                        tracing::error!(error = format!("{error:#}"), "loading failed");
                        Readiness::Failed(format!("{error:#}"))
                    }
                };
                *loader_state.readiness.write().expect("readiness lock") = readiness;
            })
            .context("failed to start the loader thread")?;

        Ok(Self {
            addr,
            handle,
            state,
            http_thread: Some(http_thread),
            loader: Some(loader),
        })
    }

    /// Returns the bound address (with the real port when the configured one was 0).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Waits until loading has finished.
    ///
    /// # Errors
    /// Loading failed. The server keeps returning 503 from `/healthz`.
    pub fn wait_loaded(&mut self) -> anyhow::Result<()> {
        if let Some(loader) = self.loader.take() {
            loader
                .join()
                .map_err(|_| anyhow::anyhow!("the loader thread panicked"))?;
        }
        match &*self.state.readiness.read().expect("readiness lock") {
            Readiness::Failed(message) => Err(anyhow::anyhow!("{message}")),
            _ => Ok(()),
        }
    }

    /// Waits until the server stops (SIGINT, SIGTERM or [`Server::stop`]).
    ///
    /// # Errors
    /// The HTTP server failed.
    pub fn wait(mut self) -> anyhow::Result<()> {
        if let Some(thread) = self.http_thread.take() {
            thread
                .join()
                .map_err(|_| anyhow::anyhow!("the HTTP thread panicked"))?
                .context("the HTTP server failed")?;
        }
        Ok(())
    }

    /// Stops accepting connections, lets in-flight requests finish and waits for the end.
    pub fn stop(mut self) {
        let handle = self.handle.clone();
        if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            runtime.block_on(handle.stop(true));
        }
        if let Some(thread) = self.http_thread.take() {
            let _ = thread.join();
        }
    }
}

type Bound = std::io::Result<(SocketAddr, ServerHandle)>;

/// A duplicate of a connection's socket, kept to notice when the client goes away.
pub(crate) struct PeerSocket(std::net::TcpStream);

impl PeerSocket {
    /// Returns whether the client has closed the connection (a read would return EOF).
    pub(crate) fn is_closed(&self) -> bool {
        let mut byte = [0u8; 1];
        // The socket is non-blocking: WouldBlock means open with nothing to read.
        match self.0.peek(&mut byte) {
            Ok(read) => read == 0,
            Err(error) => error.kind() != std::io::ErrorKind::WouldBlock,
        }
    }
}

/// Stores a duplicate of each new TCP connection's socket in the connection's data.
fn remember_peer(connection: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
    use std::os::fd::AsFd;

    let Some(tcp) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else {
        return;
    };
    if let Ok(fd) = tcp.as_fd().try_clone_to_owned() {
        let socket = std::net::TcpStream::from(fd);
        if socket.set_nonblocking(true).is_ok() {
            data.insert(std::sync::Arc::new(PeerSocket(socket)));
        }
    }
}

fn run_http(
    config: &ServeConfig,
    state: web::Data<AppState>,
    bound: &std::sync::mpsc::Sender<Bound>,
) -> std::io::Result<()> {
    let cors_origins = config.cors_origins.clone();
    let factory = move || {
        let query_config = web::QueryConfig::default().error_handler(|error, _| {
            ApiError::bad_request(
                format!("invalid query parameters: {error}"),
                "see /api/v1/openapi.json for the parameter types",
            )
            .into()
        });
        App::new()
            .app_data(state.clone())
            .app_data(query_config)
            .wrap(Condition::new(!cors_origins.is_empty(), cors(&cors_origins)))
            .wrap(Compress::default())
            .wrap_fn(|request, service| {
                let started = Instant::now();
                let id = NEXT_REQUEST_ID.fetch_add(1, Ordering::Relaxed);
                let method = request.method().clone();
                let state = request.app_data::<web::Data<AppState>>().cloned();
                let span = tracing::info_span!("request", id, %method, route = tracing::field::Empty, entity = tracing::field::Empty);
                let response = service.call(request).instrument(span.clone());
                async move {
                    let response = response.await?;
                    let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".into());
                    let status = response.status().as_u16();
                    let elapsed = started.elapsed();
                    if let Some(state) = state {
                        state.metrics.record(&route, method_label(&method), status, elapsed);
                    }
                    span.record("route", route.as_str());
                    let _entered = span.enter();
                    #[allow(clippy::cast_possible_truncation)]
                    let elapsed_us = elapsed.as_micros() as u64;
                    // 503 is expected while loading and under load, so only other 5xx warn.
                    if status >= 500 && status != 503 {
                        tracing::warn!(status, elapsed_us, "request failed");
                    } else {
                        tracing::debug!(status, elapsed_us, "request done");
                    }
                    Ok(response)
                }
            })
            .configure(configure)
            .default_service(web::to(no_route))
    };

    actix_web::rt::System::new().block_on(async move {
        let server = match HttpServer::new(factory)
            .on_connect(remember_peer)
            .workers(config.workers.max(1))
            .shutdown_timeout(config.shutdown_timeout.as_secs())
            .bind(config.bind)
        {
            Ok(server) => server,
            Err(error) => {
                let _ = bound.send(Err(error));
                return Ok(());
            }
        };
        let addr = server.addrs()[0];
        let server = server.run();
        let _ = bound.send(Ok((addr, server.handle())));
        let result = server.await;
        tracing::info!("server stopped");
        result
    })
}
