use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = consultation_hub::cli::Cli::parse();
    consultation_hub::cli::init_logging(&cli.settings);
    match consultation_hub::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
