//! Reading a secret from standard input: a pipe is read as is; on a terminal the typing is not
//! echoed. A secret is never taken from the command line, where `ps` and shell history see it.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use crate::backends::Secret;

/// Reads one line from standard input as a secret, prompting on standard error when it is a
/// terminal (with echo off). An empty answer is an error.
pub fn read_secret_from_stdin(prompt: &str) -> std::io::Result<Secret> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    if stdin.is_terminal() {
        write!(std::io::stderr(), "{prompt}: ")?;
        std::io::stderr().flush()?;
        let _echo_off = EchoOff::new(&stdin);
        stdin.lock().read_line(&mut line)?;
        writeln!(std::io::stderr())?;
    } else {
        stdin.lock().read_line(&mut line)?;
    }
    let secret = Secret::new(line);
    if secret.is_empty() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "no secret on standard input"));
    }
    Ok(secret)
}

/// Turns terminal echo off until dropped.
struct EchoOff {
    #[cfg(unix)]
    saved: Option<rustix::termios::Termios>,
}

impl EchoOff {
    #[cfg(unix)]
    fn new(stdin: &std::io::Stdin) -> Self {
        use rustix::termios::{LocalModes, OptionalActions, tcgetattr, tcsetattr};
        let saved = tcgetattr(stdin).ok();
        if let Some(saved) = &saved {
            let mut quiet = saved.clone();
            quiet.local_modes.remove(LocalModes::ECHO);
            quiet.local_modes.insert(LocalModes::ECHONL);
            tcsetattr(stdin, OptionalActions::Now, &quiet).ok();
        }
        Self { saved }
    }

    #[cfg(not(unix))]
    fn new(_stdin: &std::io::Stdin) -> Self {
        Self {}
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            rustix::termios::tcsetattr(std::io::stdin(), rustix::termios::OptionalActions::Now, saved).ok();
        }
    }
}
