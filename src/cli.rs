//! The command line (SPEC 6): one binary, `--dir DIR` on every command,
//! exit 0 done, 1 findings or failures, 2 bad usage or unreadable project.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// `goakit 0.1.0 (abc1234)`: the git revision when built from a checkout.
pub const VERSION: &str = env!("GOAKIT_VERSION");

#[derive(Parser)]
#[command(
    name = "goakit",
    version = VERSION,
    disable_version_flag = true,
    about = "Build, lint, preview and push Goaddon addons"
)]
pub struct Cli {
    /// The addon project directory.
    #[arg(long, global = true, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// Print the version (with the git revision when built from a checkout).
    #[arg(short = 'V', short_alias = 'v', long, action = clap::ArgAction::Version)]
    pub version: Option<bool>,
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
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// What users of peer tools type, and goakit's command for it.
const PEER_COMMANDS: &[(&str, &str, &str)] = &[
    ("dev", "preview", "Shopify CLI's `theme dev`"),
    (
        "serve",
        "preview",
        "`zola serve`, `mdbook serve`, `jekyll serve`",
    ),
    ("server", "preview", "`jekyll server`"),
    ("watch", "preview", "a watching dev server"),
    ("check", "lint", "Shopify CLI's `theme check`"),
    ("validate", "lint", "a validator"),
    ("deploy", "push", "`pos-cli deploy`"),
    ("upload", "push", "an upload"),
    ("publish", "push", "publishing"),
    ("download", "pull", "a download"),
    ("fetch", "pull", "fetching the addon"),
    ("new", "init", "a new project"),
    ("create", "init", "a new project"),
];

/// The hint for a subcommand clap does not know: a peer tool's name for
/// a goakit command, or the closest command.
fn unknown_command_hint(word: &str) -> Option<String> {
    if let Some((_, ours, theirs)) = PEER_COMMANDS.iter().find(|(w, _, _)| *w == word) {
        return Some(format!(
            "  tip: did you mean 'goakit {ours}'? (it is what {theirs} does)"
        ));
    }
    let cmd = <Cli as clap::CommandFactory>::command();
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    crate::suggest::closest(word, names.iter().map(String::as_str))
        .map(|c| format!("  tip: did you mean 'goakit {c}'?"))
}

/// Parses arguments and runs the command; clap's usage errors exit 2.
pub fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `goakit help --help` (or `-h`): the help, not an error.
    if args.get(1).is_some_and(|a| a == "help")
        && args[2..].iter().any(|a| a == "--help" || a == "-h")
    {
        args = vec![args[0].clone(), "--help".into()];
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            if e.kind() == clap::error::ErrorKind::InvalidSubcommand
                && let Some(clap::error::ContextValue::String(word)) =
                    e.get(clap::error::ContextKind::InvalidSubcommand)
                && let Some(hint) = unknown_command_hint(word)
            {
                eprintln!(
                    "error: unrecognized subcommand '{}'\n\n{hint}\n\nFor the list of commands, try 'goakit --help'.",
                    crate::diagnostic::terminal_safe(word)
                );
                return ExitCode::from(2);
            }
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let dir = cli.dir;
    // The one place a command's result becomes its exit status.
    let result = match cli.command {
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
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: clap_complete panics on a closed stdout.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "goakit", &mut script);
            use std::io::Write;
            let _ = std::io::stdout().write_all(&script);
            Ok(())
        }
    };
    ExitCode::from(crate::exit::code(&result))
}
