//! The durable-write benchmark of `bench/load.sh` (MODE=create-user): `CreateUser` with the
//! AWS SDK for Rust, CONCURRENCY calls in flight until COUNT users exist, then `DeleteUser`
//! for each. Every call is acknowledged only after its transaction committed (on SQLite,
//! WAL with `synchronous=FULL`), so the rate is that of durable writes.
//!
//! usage: create_users ENDPOINT KEY_ID SECRET [COUNT] [CONCURRENCY]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, endpoint, key, secret, rest @ ..] = args.as_slice() else {
        return Err("usage: create_users ENDPOINT KEY_ID SECRET [COUNT] [CONCURRENCY]".into());
    };
    let count: usize = rest.first().map_or(Ok(4000), |s| s.parse())?;
    let concurrency: usize = rest.get(1).map_or(Ok(16), |s| s.parse())?;
    let config = aws_sdk_iam::Config::builder()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(key, secret, None, None, "bench"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    let iam = aws_sdk_iam::Client::from_conf(config);
    let run = std::process::id();

    let creator = iam.clone();
    let created = drive(count, concurrency, move |i| {
        let iam = creator.clone();
        async move {
            iam.create_user()
                .user_name(format!("load-{run}-{i}"))
                .path("/bench/")
                .send()
                .await
                .map(|_| ())
                .map_err(|err| {
                    format!(
                        "CreateUser: {}",
                        aws_sdk_iam::error::DisplayErrorContext(err)
                    )
                })
        }
    })
    .await?;
    report("CreateUser", &created);
    let deleted = drive(count, concurrency, move |i| {
        let iam = iam.clone();
        async move {
            iam.delete_user()
                .user_name(format!("load-{run}-{i}"))
                .send()
                .await
                .map(|_| ())
                .map_err(|err| {
                    format!(
                        "DeleteUser: {}",
                        aws_sdk_iam::error::DisplayErrorContext(err)
                    )
                })
        }
    })
    .await?;
    report("DeleteUser", &deleted);
    Ok(())
}

/// The latencies of `count` calls, `concurrency` at a time, and the whole run's time.
struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
}

async fn drive<F, Fut>(count: usize, concurrency: usize, call: F) -> Result<Run, String>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let call = Arc::new(call);
    let began = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let next = next.clone();
        let call = call.clone();
        workers.spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, String>(latencies);
                }
                let sent = Instant::now();
                call(i).await?;
                latencies.push(sent.elapsed());
            }
        });
    }
    let mut latencies = Vec::with_capacity(count);
    while let Some(worker) = workers.join_next().await {
        latencies.extend(worker.map_err(|err| err.to_string())??);
    }
    latencies.sort();
    Ok(Run {
        elapsed: began.elapsed(),
        latencies,
    })
}

fn report(operation: &str, run: &Run) {
    let at = |q: f64| {
        let index = ((run.latencies.len() as f64 - 1.0) * q).round() as usize;
        run.latencies
            .get(index)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{operation}: {} calls in {:.2} s = {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        run.latencies.len(),
        run.elapsed.as_secs_f64(),
        run.latencies.len() as f64 / run.elapsed.as_secs_f64(),
        at(0.5),
        at(0.99)
    );
}
