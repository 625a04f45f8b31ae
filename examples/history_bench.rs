//! Times the history pass alone: `cargo run --release --example history_bench -- SITE [PATH…]`.
//! Prints the milliseconds `cyclebook::git::read_history` took, what it read, and the
//! commits of each site-relative PATH given (to compare with `git log --follow`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let site = args.next().unwrap_or_else(|| PathBuf::from("."));
    let start = Instant::now();
    let history = cyclebook::git::read_history(&site);
    let elapsed = start.elapsed();
    match history {
        Ok(Some(h)) => {
            println!(
                "{:.1} ms: {} commits touching {} files, shallow: {}",
                elapsed.as_secs_f64() * 1000.0,
                h.commits.len(),
                h.files.len(),
                h.shallow
            );
            for path in args {
                println!("{}:", path.display());
                for c in h.file(&path).map(|f| f.commits).unwrap_or_default() {
                    println!("{} {} {}", c.id, c.author, c.subject);
                }
            }
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("{} is not in a git repository", site.display());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
