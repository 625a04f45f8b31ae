//! The `cyclebook` command: parses arguments, calls the library, turns results into
//! exit codes (0 success, 1 content errors, 2 usage or I/O errors).

use clap::{Args, Parser, Subcommand, ValueEnum};
use cyclebook::diagnostics::{self, Diagnostic};
use std::path::PathBuf;
use std::process::ExitCode;

// glibc's allocator spent a quarter of a 10,000-page build in malloc/free (perf);
// mimalloc's thread-local free lists cut that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Build the site into memory and serve it over HTTP, rebuilding and reloading open
    /// pages whenever a file of the site changes.
    Serve {
        /// The site folder (the one with cyclebook.yml).
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The port to listen on (default 3000, or the next free one up to 3009; 0 for
        /// any free port).
        #[arg(short, long)]
        port: Option<u16>,
        /// The address to listen on. Only this computer can reach the default; use
        /// 0.0.0.0 to let others on the network see the site.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default web browser.
        #[arg(long)]
        open: bool,
        /// Do not read the git history.
        #[arg(long)]
        no_git: bool,
        /// Serve even when the identifier scanner finds something (as warnings).
        #[arg(long)]
        allow_identifiers: bool,
    },
    /// Start a new site in a folder: settings, a small worked example (an aim with its
    /// driver diagram, a change idea, a PDSA cycle, a measure and a lesson), a README,
    /// a .gitignore and a GitHub Actions workflow.
    Init {
        /// The folder to create; it may exist if it is empty (or holds only dotfiles
        /// such as .git).
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Write a new cycle, note, measure, change idea or aim from its scaffold, with
    /// today's date and a free id made from the title.
    New {
        #[command(subcommand)]
        item: NewCommand,
    },
}

/// What `cyclebook new` writes.
#[derive(Subcommand)]
enum NewCommand {
    /// A PDSA cycle (cycles/), with the Plan, Do, Study and Act headings.
    Cycle {
        #[command(flatten)]
        args: NewArgs,
        /// The change idea the cycle tests: the cycle follows the latest cycle of its
        /// ramp and starts from that cycle's measures, team, tags, predictions and plan.
        #[arg(long, value_name = "ID")]
        change: Option<String>,
    },
    /// A note or lesson (notes/).
    Note(NewArgs),
    /// A measure (measures/): its definition and a CSV file with the header line.
    Measure(NewArgs),
    /// A change idea (changes/).
    Change(NewArgs),
    /// An aim with a driver diagram to fill in (aims/).
    Aim(NewArgs),
}

#[derive(Args)]
struct NewArgs {
    /// The title, in quotes: "Falls huddle, test 1: bay A, three day shifts".
    title: String,
    /// The site folder (the one with cyclebook.yml).
    #[arg(long, default_value = ".")]
    site: PathBuf,
    /// The id (and file name) to use, instead of one made from the title.
    #[arg(long)]
    id: Option<String>,
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

fn serve(options: &cyclebook::serve::ServeOptions, open: bool) -> ExitCode {
    use cyclebook::serve::Event;
    use std::io::Write;
    let mut report = |event: Event<'_>| match event {
        Event::Listening { url } => {
            println!(
                "Serving {} at {url} (Ctrl+C to stop)",
                options.site.display()
            );
            let _ = std::io::stdout().flush();
            if open {
                open_browser(url);
            }
        }
        Event::Built {
            millis,
            rendered,
            units,
            files_read,
            warnings,
            changed,
        } => {
            print_human(warnings);
            let what = match changed {
                [] => String::from("Built"),
                [one] => format!("{} changed: rebuilt", one.display()),
                many => format!("{} files changed: rebuilt", many.len()),
            };
            println!(
                "{what} in {millis:.1} ms ({files_read} files read, {rendered} of {units} pages rendered{})",
                if warnings.is_empty() {
                    String::new()
                } else {
                    format!(", {}", diagnostics::summary(warnings))
                }
            );
            let _ = std::io::stdout().flush();
        }
        Event::Failed {
            millis,
            diagnostics: found,
        } => {
            print_human(found);
            println!(
                "The site has {} ({millis:.1} ms); the browser shows them until they are fixed",
                diagnostics::summary(found)
            );
            let _ = std::io::stdout().flush();
        }
        Event::WatchError(e) => eprintln!("warning: watching the site: {e}"),
    };
    match cyclebook::serve::serve(options, &mut report) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_failure(&e, Format::Human, &options.site),
    }
}

/// Best effort: the site is served whether or not a browser opens.
fn open_browser(url: &str) {
    let command = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(command)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
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
        Command::Serve {
            site,
            port,
            bind,
            open,
            no_git,
            allow_identifiers,
        } => serve(
            &cyclebook::serve::ServeOptions {
                site,
                bind,
                port,
                git: !no_git,
                allow_identifiers,
            },
            open,
        ),
        Command::Init { dir } => init_site(&dir),
        Command::New { item } => new_item(item),
    }
}

/// `cyclebook init`: prints each file written, then what to do next.
fn init_site(dir: &std::path::Path) -> ExitCode {
    use cyclebook::scaffold;
    let done = match scaffold::init(dir, cyclebook::date::Date::today()) {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    for rel in &done.files {
        println!("{}", scaffold::path_from(dir, rel).display());
    }
    for rel in &done.kept {
        let shown = scaffold::path_from(dir, rel);
        println!("{} (already there: left as it was)", shown.display());
    }
    let here = dir.as_os_str().is_empty() || dir == std::path::Path::new(".");
    println!();
    println!("Next steps:");
    if !here {
        println!("  cd {}", dir.display());
    }
    println!("  cyclebook check     # check the site, like a compiler");
    println!("  cyclebook build     # build the website into public/");
    println!("  cyclebook serve     # preview it while you edit");
    println!(
        "  cyclebook new cycle \"Title\" --change {}   # the next cycle of the example ramp",
        scaffold::INIT_CHANGE
    );
    println!("Then read README.md, and replace the example files with your own.");
    ExitCode::SUCCESS
}

/// `cyclebook new`: prints the path of each file written.
fn new_item(command: NewCommand) -> ExitCode {
    use cyclebook::content::items::Kind;
    use cyclebook::scaffold;
    let (kind, args, change) = match command {
        NewCommand::Cycle { args, change } => (Kind::Cycle, args, change),
        NewCommand::Note(args) => (Kind::Note, args, None),
        NewCommand::Measure(args) => (Kind::Measure, args, None),
        NewCommand::Change(args) => (Kind::Change, args, None),
        NewCommand::Aim(args) => (Kind::Aim, args, None),
    };
    let request = scaffold::NewItem {
        kind,
        title: args.title,
        site: args.site,
        id: args.id,
        change,
        today: cyclebook::date::Date::today(),
    };
    match scaffold::new_item(&request) {
        Ok(created) => {
            for rel in &created.files {
                println!("{}", scaffold::path_from(&request.site, rel).display());
            }
            if let Some(previous) = &created.follows {
                eprintln!("It follows `{previous}`, the latest cycle of its ramp, and starts from its plan.");
            }
            if let Some(from) = &created.scaffold {
                eprintln!("(from the site's scaffold {})", from.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
