//! The data directory's lock: one `kuvert demo` per directory. A second one would rewrite
//! `demo.json` and the role files and re-register the operators' addresses under the first,
//! which then sends letters to dead ports. The lock is an exclusive advisory lock on
//! `DIR/.lock` (std's `File::try_lock`, `flock` on Unix) holding the owner's process id; the
//! system releases it when the process ends, however it ends, so a stale file never blocks.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context;

/// File name of the lock in the data directory.
pub const LOCK_FILE: &str = ".lock";

/// Holds the data directory for this process until dropped.
#[derive(Debug)]
pub struct DataDirLock {
    // Closing the file releases the lock.
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock on `data_dir` (which must exist) and writes this process's id into it.
    ///
    /// # Errors
    /// When another process holds it (naming its process id when the file says), or the file
    /// cannot be opened or written.
    pub fn acquire(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(LOCK_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening the lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let holder = holder(&mut file).map_or_else(
                    || "another process".to_owned(),
                    |pid| format!("process {pid}"),
                );
                anyhow::bail!(
                    "the data directory {} is in use by {holder} (another `kuvert demo`); \
                     stop it first or choose another --data-dir",
                    data_dir.display()
                );
            }
            Err(TryLockError::Error(error)) => {
                return Err(error).with_context(|| format!("locking {}", path.display()));
            }
        }
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| writeln!(file, "{}", std::process::id()))
            .and_then(|()| file.flush())
            .with_context(|| format!("writing the process id into {}", path.display()))?;
        Ok(Self { _file: file, path })
    }

    /// The lock file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The process id the holder wrote, if it did already (bounded read: a pid is short).
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_naming_the_holder_and_free_again_after_drop() {
        let dir = tempfile::tempdir().unwrap();
        let first = DataDirLock::acquire(dir.path()).unwrap();
        let written = std::fs::read_to_string(first.path()).unwrap();
        assert_eq!(written.trim(), std::process::id().to_string());

        let error = DataDirLock::acquire(dir.path()).unwrap_err().to_string();
        assert!(
            error.contains(&format!("process {}", std::process::id())),
            "{error}"
        );
        assert!(error.contains("in use"), "{error}");

        drop(first);
        DataDirLock::acquire(dir.path()).unwrap();
    }
}
