//! The command line (SPEC 6): one binary, `--dir DIR` on every command,
//! exit 0 done, 1 findings or failures, 2 bad usage or unreadable project.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "goakit",
    version,
    about = "Build, lint, preview and push Goaddon addons"
)]
pub struct Cli {
    /// The addon project directory.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Scaffold a new addon project that lints clean.
    Init(crate::commands::InitArgs),
    /// Print a page rendered into root (or --bare, or --document).
    Render(crate::commands::RenderArgs),
    /// Render every page and shortcut to static HTML documents.
    Build(crate::commands::BuildArgs),
    /// The dev server: the addon screen, live reload, error overlays.
    Preview(crate::preview::PreviewArgs),
    /// Check the project: every finding, with file, line and column.
    Lint(crate::lint::LintArgs),
    /// Upload what changed to the Goaddon API (plan first; --dry-run, --prune).
    Push(crate::remote::push::PushArgs),
    /// Download the addon from the Goaddon API into the project layout.
    Pull(crate::remote::pull::PullArgs),
    /// Unified diffs of every item whose local and remote content differ.
    Diff(crate::remote::diff::DiffArgs),
    /// Put a backup's items back on the remote (plan first; creates and updates only).
    Restore(crate::remote::restore::RestoreArgs),
    /// A new project from an existing remote addon.
    Clone(crate::remote::clone::CloneArgs),
}

/// Parses arguments and runs the command; clap's usage errors exit 2.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let dir = cli.dir;
    let code: u8 = match cli.command {
        Command::Init(args) => crate::commands::init(&dir, args),
        Command::Render(args) => crate::commands::render(&dir, args),
        Command::Build(args) => crate::commands::build(&dir, args),
        Command::Preview(args) => crate::preview::run(&dir, args),
        Command::Lint(args) => crate::lint::run(&dir, args),
        Command::Push(args) => crate::remote::push::run(&dir, args),
        Command::Pull(args) => crate::remote::pull::run(&dir, args),
        Command::Diff(args) => crate::remote::diff::run(&dir, args),
        Command::Restore(args) => crate::remote::restore::run(&dir, args),
        Command::Clone(args) => crate::remote::clone::run(&dir, args),
    };
    ExitCode::from(code)
}
