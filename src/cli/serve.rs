//! `rxgraph serve`: run the HTTP server until SIGINT or SIGTERM.

use std::time::Duration;

use anyhow::bail;

use super::args::ServeArgs;
use crate::serve::{Loaded, ModelHandle, ServeConfig, Server};

pub fn run(args: &ServeArgs) -> anyhow::Result<()> {
    let config = config(args)?;
    tracing::info!(?config, workdir = %args.workdir.display(), model = ?args.model, "starting server");

    let workdir = args.workdir.clone();
    let model_dir = args.model.clone();
    let mut server = Server::start(config, move |config| {
        Loaded::open(
            &workdir,
            |graph| {
                model_dir
                    .as_deref()
                    .map(|dir| ModelHandle::load(dir, graph))
                    .transpose()
            },
            config,
        )
    })?;
    if let Err(error) = server.wait_loaded() {
        server.stop();
        return Err(error.context("failed to load the data to serve"));
    }
    tracing::info!(url = %format!("http://{}/", server.addr()), "serving; stop with Ctrl-C or SIGTERM");
    server.wait()
}

fn config(args: &ServeArgs) -> anyhow::Result<ServeConfig> {
    if args.timeout_ms == 0 {
        bail!("--timeout-ms must be at least 1");
    }
    if args.max_rows == 0 || args.max_sort_rows == 0 {
        bail!("--max-rows and --max-sort-rows must be at least 1");
    }
    if args.max_concurrent_queries == Some(0) {
        bail!("--max-concurrent-queries must be at least 1");
    }
    let defaults = ServeConfig::default();
    Ok(ServeConfig {
        bind: args.bind,
        allow_update: args.allow_update,
        timeout: Duration::from_millis(args.timeout_ms),
        max_rows: args.max_rows,
        max_sort_rows: args.max_sort_rows,
        max_request_bytes: args.max_request_bytes,
        max_score_pairs: args.max_score_pairs,
        max_concurrent_queries: args
            .max_concurrent_queries
            .unwrap_or(defaults.max_concurrent_queries),
        cors_origins: args.cors_origin.clone(),
        predictions_top_n: args.predictions_top_n,
        workers: args.workers.unwrap_or(defaults.workers),
        shutdown_timeout: defaults.shutdown_timeout,
        data_dir: args.data_dir.clone(),
    })
}
