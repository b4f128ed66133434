//! The style of the tokio services flow grew from, as a benchmark peer: every node of the pipeline is a tokio
//! task, every edge a bounded `tokio::sync::mpsc` channel.
//!
//! usage: bench-tokio WORKLOAD COUNT SIZE CAPACITY WORKERS
//!   WORKLOAD: hops (source -> 2 stages -> sink), fanout (1 -> 4 round robin
//!   -> 1), spin (a 10 us CPU stage with WORKERS concurrent messages).
//! Prints one JSON line: messages delivered, elapsed seconds, messages/s.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};

/// What flows on an edge: a payload and its creation time, like flow's messages.
struct Message {
    payload: Vec<u8>,
    created: Instant,
}

struct Config {
    workload: String,
    count: u64,
    size: usize,
    capacity: usize,
    workers: usize,
}

fn parse_args() -> Config {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: bench-tokio hops|fanout|spin COUNT SIZE CAPACITY WORKERS");
        std::process::exit(2);
    }
    let number = |i: usize| -> u64 {
        args[i].parse().unwrap_or_else(|_| {
            eprintln!("bench-tokio: '{}' is not a number", args[i]);
            std::process::exit(2)
        })
    };
    Config {
        workload: args[1].clone(),
        count: number(2),
        size: number(3) as usize,
        capacity: number(4) as usize,
        workers: number(5) as usize,
    }
}

async fn source(count: u64, size: usize, out: mpsc::Sender<Message>) {
    for _ in 0..count {
        let message = Message { payload: vec![b'x'; size], created: Instant::now() };
        if out.send(message).await.is_err() {
            return;
        }
    }
}

/// A zero-work stage: takes each message and passes it on.
async fn forward(mut input: mpsc::Receiver<Message>, out: mpsc::Sender<Message>) {
    while let Some(message) = input.recv().await {
        if out.send(message).await.is_err() {
            return;
        }
    }
}

/// Counts what arrives; the byte sum keeps the payloads from being optimised away.
async fn sink(mut input: mpsc::Receiver<Message>) -> (u64, u64) {
    let (mut delivered, mut bytes) = (0u64, 0u64);
    while let Some(message) = input.recv().await {
        delivered += 1;
        bytes += message.payload.len() as u64 + (message.created.elapsed().as_nanos() == 0) as u64;
    }
    (delivered, bytes)
}

async fn hops(config: &Config) -> u64 {
    let (tx0, rx0) = mpsc::channel(config.capacity);
    let (tx1, rx1) = mpsc::channel(config.capacity);
    let (tx2, rx2) = mpsc::channel(config.capacity);
    tokio::spawn(source(config.count, config.size, tx0));
    tokio::spawn(forward(rx0, tx1));
    tokio::spawn(forward(rx1, tx2));
    tokio::spawn(sink(rx2)).await.unwrap().0
}

async fn fanout(config: &Config) -> u64 {
    const BRANCHES: usize = 4;
    let (out_tx, out_rx) = mpsc::channel(config.capacity);
    let mut branches = Vec::with_capacity(BRANCHES);
    for _ in 0..BRANCHES {
        let (tx, rx) = mpsc::channel(config.capacity);
        tokio::spawn(forward(rx, out_tx.clone()));
        branches.push(tx);
    }
    drop(out_tx);
    let (count, size) = (config.count, config.size);
    tokio::spawn(async move {
        for i in 0..count {
            let message = Message { payload: vec![b'x'; size], created: Instant::now() };
            if branches[(i as usize) % BRANCHES].send(message).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(sink(out_rx)).await.unwrap().0
}

fn burn(duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
}

/// The semaphore pattern (tokio::sync::Semaphore): a task per message, at most WORKERS at once.
async fn spin(config: &Config) -> u64 {
    let (tx0, mut rx0) = mpsc::channel::<Message>(config.capacity);
    let (tx1, rx1) = mpsc::channel(config.capacity);
    tokio::spawn(source(config.count, config.size, tx0));
    let permits = Arc::new(Semaphore::new(config.workers));
    tokio::spawn(async move {
        while let Some(message) = rx0.recv().await {
            let permit = permits.clone().acquire_owned().await.unwrap();
            let out = tx1.clone();
            tokio::spawn(async move {
                burn(Duration::from_micros(10));
                let _ = out.send(message).await;
                drop(permit);
            });
        }
    });
    tokio::spawn(sink(rx1)).await.unwrap().0
}

fn main() {
    let config = parse_args();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let delivered = runtime.block_on(async {
        match config.workload.as_str() {
            "hops" => hops(&config).await,
            "fanout" => fanout(&config).await,
            "spin" => spin(&config).await,
            other => {
                eprintln!("bench-tokio: unknown workload '{}'", other);
                std::process::exit(2)
            }
        }
    });
    let elapsed = started.elapsed().as_secs_f64();
    if delivered != config.count {
        eprintln!("bench-tokio: delivered {} of {}", delivered, config.count);
        std::process::exit(1);
    }
    println!(
        "{{\"program\":\"tokio\",\"workload\":\"{}\",\"delivered\":{},\"elapsed_s\":{:.6},\"messages_per_s\":{:.1}}}",
        config.workload,
        delivered,
        elapsed,
        delivered as f64 / elapsed
    );
}
