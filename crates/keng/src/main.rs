//! The `keng` binary.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = keng::cli::Cli::parse();
    match keng::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("keng: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
