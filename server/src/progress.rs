//! A progress bar for long commands (seeding, imports), drawn on stderr. On a terminal
//! it redraws one line; in a log (CI) it prints a line every tenth of the way.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    label: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    tty: bool,
    last_tenth: u64,
}

impl Progress {
    pub fn new(label: &'static str, total: u64) -> Progress {
        Progress { label, total: total.max(1), done: 0, started: Instant::now(), tty: std::io::stderr().is_terminal(), last_tenth: 0 }
    }

    pub fn advance(&mut self, n: u64) {
        self.set(self.done + n);
    }

    /// Moves the bar to `done` of the total.
    pub fn set(&mut self, done: u64) {
        self.done = done.min(self.total);
        let tenth = self.done * 10 / self.total;
        if self.tty {
            self.draw(false);
        } else if tenth > self.last_tenth {
            self.last_tenth = tenth;
            self.draw(true);
        }
    }

    pub fn finish(&mut self) {
        self.done = self.total;
        if self.tty {
            self.draw(false);
            eprintln!();
        } else if self.last_tenth < 10 {
            self.draw(true);
        }
    }

    fn draw(&self, newline: bool) {
        const WIDTH: u64 = 30;
        let filled = (self.done * WIDTH / self.total) as usize;
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(WIDTH as usize - filled));
        let secs = self.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { self.done as f64 / secs } else { 0.0 };
        let line = format!(
            "{:<14} {bar} {:>3}% {}/{} ({:.0}/s, {:.1} s)",
            self.label,
            self.done * 100 / self.total,
            self.done,
            self.total,
            rate,
            secs
        );
        let mut err = std::io::stderr().lock();
        if newline {
            let _ = writeln!(err, "{line}");
        } else {
            let _ = write!(err, "\r{line}");
            let _ = err.flush();
        }
    }
}
