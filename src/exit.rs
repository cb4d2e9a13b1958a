//! How a command ends (SPEC 6 exit status), in one place: commands return
//! `Result<(), Failure>`, and `cli::main` turns it into 0, 1 or 2, printing
//! the message a failure carries.

use crate::project::LoadError;

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Findings or failures, already reported: exit 1.
    Failed,
    /// A failure to report: exit 1.
    Error(String),
    /// Bad usage or an unreadable project, already reported: exit 2.
    Usage,
    /// Bad usage or an unreadable project, to report: exit 2.
    UsageError(String),
}

/// What every command returns.
pub type CmdResult = Result<(), Failure>;

impl Failure {
    pub fn code(&self) -> u8 {
        match self {
            Failure::Failed | Failure::Error(_) => 1,
            Failure::Usage | Failure::UsageError(_) => 2,
        }
    }

    /// The message still to print, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            Failure::Error(m) | Failure::UsageError(m) => Some(m),
            _ => None,
        }
    }
}

/// An unreadable project is bad usage (exit 2).
impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::UsageError(e.to_string())
    }
}

/// `Err(Failed)` when `failed`: findings end with exit 1.
pub fn failed_if(failed: bool) -> CmdResult {
    if failed { Err(Failure::Failed) } else { Ok(()) }
}

/// The exit status of a command's result, its message printed first.
pub fn code(result: &CmdResult) -> u8 {
    match result {
        Ok(()) => 0,
        Err(f) => {
            if let Some(m) = f.message() {
                crate::say_err!("error: {m}");
            }
            f.code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        assert_eq!(code(&Ok(())), 0);
        assert_eq!(code(&Err(Failure::Failed)), 1);
        assert_eq!(code(&Err(Failure::Error("x".into()))), 1);
        assert_eq!(code(&Err(Failure::Usage)), 2);
        assert_eq!(code(&Err(Failure::UsageError("x".into()))), 2);
        assert_eq!(failed_if(true), Err(Failure::Failed));
        assert_eq!(failed_if(false), Ok(()));
    }
}
