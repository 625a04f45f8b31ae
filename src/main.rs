//! The `cyclebook` command: parses arguments, calls the library, turns results into
//! exit codes (0 success, 1 content errors, 2 usage or I/O errors).

use clap::{Parser, Subcommand, ValueEnum};
use cyclebook::diagnostics::{self, Diagnostic};
use std::path::PathBuf;
use std::process::ExitCode;

/// Build a linked static site from a learning health system's PDSA cycles, notes and
/// measures, and check it like a compiler.
#[derive(Parser)]
#[command(name = "cyclebook", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into a folder (default SITE/public), replacing it only when the
    /// whole build succeeded.
    Build {
        /// The site folder (the one with cyclebook.yml).
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Where to write the site.
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// The absolute URL the site is published at (overrides base_url).
        #[arg(long)]
        base_url: Option<String>,
        /// Do not read the git history (no dates or authors from commits, no /recent/).
        #[arg(long)]
        no_git: bool,
        /// Publish even when the identifier scanner finds possible NHS numbers, emails,
        /// phone numbers, postcodes or dates of birth (they are then warnings).
        #[arg(long)]
        allow_identifiers: bool,
    },
    /// Validate the site without writing anything; exit 1 when it has errors.
    Check {
        /// The site folder (the one with cyclebook.yml).
        #[arg(default_value = ".")]
        site: PathBuf,
        /// How to print the diagnostics.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Do not read the git history (skips the shallow-clone and stale-data checks).
        #[arg(long)]
        no_git: bool,
        /// Treat warnings as errors (exit 1 when there are any).
        #[arg(long)]
        strict: bool,
        /// Report possible identifiers as warnings instead of errors.
        #[arg(long)]
        allow_identifiers: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Like rustc: the place, the source line with a caret, a hint.
    Human,
    /// A JSON array of the diagnostics (severity, code, message, file, line, column, …).
    Json,
    /// GitHub Actions workflow commands, shown on the pull request's lines.
    Github,
}

fn print_human(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{}", d.render_human());
    }
}

fn report_failure(error: &cyclebook::Error, format: Format, site: &std::path::Path) -> ExitCode {
    match error {
        cyclebook::Error::Content(diagnostics) => {
            match format {
                Format::Human => {
                    print_human(diagnostics);
                    eprintln!("error: the site has {}", diagnostics::summary(diagnostics));
                }
                Format::Json => print!("{}", diagnostics::render_json(diagnostics)),
                Format::Github => print!("{}", diagnostics::render_github(diagnostics, site)),
            }
            ExitCode::from(1)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            out,
            base_url,
            no_git,
            allow_identifiers,
        } => {
            let options = cyclebook::BuildOptions {
                site,
                out,
                base_url,
                git: !no_git,
                allow_identifiers,
            };
            match cyclebook::build(&options) {
                Ok(report) => {
                    print_human(&report.diagnostics);
                    println!(
                        "Built {} pages ({} files) in {:.2} s → {}",
                        report.pages,
                        report.files,
                        report.seconds,
                        report.out.display()
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report_failure(&e, Format::Human, &options.site),
            }
        }
        Command::Check {
            site,
            format,
            no_git,
            strict,
            allow_identifiers,
        } => match cyclebook::check(&site, !no_git, allow_identifiers) {
            Ok(warnings) => {
                match format {
                    Format::Human => {
                        print_human(&warnings);
                        eprintln!("{}: {}", site.display(), diagnostics::summary(&warnings));
                    }
                    Format::Json => print!("{}", diagnostics::render_json(&warnings)),
                    Format::Github => print!("{}", diagnostics::render_github(&warnings, &site)),
                }
                if strict && !warnings.is_empty() {
                    if let Format::Human = format {
                        eprintln!("error: --strict: warnings count as errors");
                    }
                    return ExitCode::from(1);
                }
                ExitCode::SUCCESS
            }
            Err(e) => report_failure(&e, format, &site),
        },
    }
}
