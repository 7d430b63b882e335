//! Files that survive a crash, with the folder syncs of concurrent writers shared: the one
//! durable file write of the operator's [`LocalBlobStore`](crate::blob::LocalBlobStore) and
//! the sender's evidence archive.
//!
//! [`write_durably`] writes a temporary sibling, fsyncs it, renames it into place and then
//! makes the rename durable by an fsync of the folder. The folder fsync is the one a group
//! can share: [`FolderSyncs`] lets every writer that renamed before a folder sync started be
//! covered by that sync (leader and followers, as a database's group commit), so N concurrent
//! letters cost N file syncs and about one folder sync instead of 2N syncs. A writer returns
//! only after a folder sync that started after its rename has finished: what a caller is told
//! is durable is durable.
//!
//! Blocking: call from a blocking thread (`tokio::task::spawn_blocking`).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

/// The folder syncs of one store, shared by its clones and all its writing threads.
#[derive(Debug, Clone)]
pub struct FolderSyncs {
    /// The store's name in `kuvert_syncs_total{store}`.
    store: &'static str,
    folders: Arc<Mutex<HashMap<PathBuf, Arc<FolderSync>>>>,
}

/// The group sync of one folder: tickets handed to writers, and how far syncs have covered.
#[derive(Debug, Default)]
struct FolderSync {
    state: Mutex<SyncState>,
    finished: Condvar,
}

#[derive(Debug, Default)]
struct SyncState {
    /// Tickets handed out: a writer's ticket is the count after its rename.
    requested: u64,
    /// Every ticket up to this one is covered by a finished folder sync.
    synced: u64,
    /// A folder sync is running now.
    running: bool,
}

impl FolderSyncs {
    /// The folder syncs of the store counted as `store` (`blobs`, `archive`).
    #[must_use]
    pub fn new(store: &'static str) -> Self {
        Self {
            store,
            folders: Arc::default(),
        }
    }

    /// Returns once a folder sync of `folder` that started after this call has finished
    /// (its own, or another writer's that covers it).
    ///
    /// # Errors
    /// The folder could not be opened or synced; the writer must not report its file durable.
    pub fn sync(&self, folder: &Path) -> std::io::Result<()> {
        let group = {
            let mut folders = lock(&self.folders);
            Arc::clone(folders.entry(folder.to_owned()).or_default())
        };
        group.sync(self.store, folder)
    }
}

impl FolderSync {
    fn sync(&self, store: &'static str, folder: &Path) -> std::io::Result<()> {
        let mut state = lock(&self.state);
        state.requested += 1;
        let ticket = state.requested;
        loop {
            if state.synced >= ticket {
                return Ok(());
            }
            if state.running {
                state = self
                    .finished
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // Lead: this sync covers every rename that took a ticket before it starts.
            state.running = true;
            let covers = state.requested;
            drop(state);
            let result = File::open(folder).and_then(|handle| handle.sync_all());
            state = lock(&self.state);
            state.running = false;
            if result.is_ok() {
                state.synced = state.synced.max(covers);
                count_syncs(store, "folder", 1);
            }
            self.finished.notify_all();
            // A failed sync is the leader's error; the others try again as leaders.
            result?;
        }
    }
}

/// Writes `bytes` to `path` durably: a temporary sibling (`.tmp-…`, which readers skip),
/// fsynced, renamed over `path`, then the folder synced through `folders`. A new folder is
/// created, and its own name made durable in its parent.
///
/// # Errors
/// Any file system error; after an error nothing under `path` is promised.
pub fn write_durably(folders: &FolderSyncs, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let folder = write_renamed(folders, path, bytes)?;
    folders.sync(&folder)
}

/// Files written as one batch, as [`write_durably`] writes one, but each folder synced once
/// at [`DurableBatch::finish`] instead of once a file: a mailing's thousand paper letters
/// cost a thousand file syncs and one folder sync. Nothing written is promised durable
/// before `finish` has returned. Concurrent writers may share one batch (`&self`; behind an
/// `Arc`): their file syncs run side by side, and only the list of folders is locked.
#[derive(Debug)]
pub struct DurableBatch {
    folders: FolderSyncs,
    written_in: Mutex<BTreeSet<PathBuf>>,
}

impl DurableBatch {
    /// An empty batch whose folder syncs go through (and are counted by) `folders`.
    #[must_use]
    pub fn new(folders: &FolderSyncs) -> Self {
        Self {
            folders: folders.clone(),
            written_in: Mutex::default(),
        }
    }

    /// Writes `bytes` to `path`: fsynced and renamed into place, its folder synced later.
    ///
    /// # Errors
    /// As [`write_durably`].
    pub fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let folder = write_renamed(&self.folders, path, bytes)?;
        lock(&self.written_in).insert(folder);
        Ok(())
    }

    /// Syncs every folder written in so far; then every file the batch wrote before this
    /// call is durable. Files written while it runs are promised only by a later `finish`.
    ///
    /// # Errors
    /// A folder could not be synced: the batch's files are not promised.
    pub fn finish(&self) -> std::io::Result<()> {
        let folders: Vec<PathBuf> = lock(&self.written_in).iter().cloned().collect();
        folders
            .iter()
            .try_for_each(|folder| self.folders.sync(folder))
    }
}

/// Writes `bytes` into a fsynced temporary sibling of `path` and renames it over `path`;
/// answers the folder, whose sync makes the rename durable.
fn write_renamed(folders: &FolderSyncs, path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let folder = path
        .parent()
        .map(or_current)
        .ok_or_else(|| std::io::Error::other("the path has no folder"))?;
    if !folder.is_dir() {
        std::fs::create_dir_all(folder)?;
        if let Some(parent) = folder.parent() {
            folders.sync(or_current(parent))?;
        }
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path has no file name"))?
        .to_string_lossy();
    let temporary = folder.join(format!(".tmp-{}-{file_name}", uuid::Uuid::new_v4()));
    let mut file = File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    count_syncs(folders.store, "file", 1);
    drop(file);
    std::fs::rename(&temporary, path)?;
    Ok(folder.to_owned())
}

/// A relative path's parent may be empty: that is the current folder.
fn or_current(folder: &Path) -> &Path {
    if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    }
}

/// Counts fsyncs in `kuvert_syncs_total{store, kind}`, so a benchmark can state syncs per
/// letter and where they are.
pub fn count_syncs(store: &'static str, kind: &'static str, syncs: u64) {
    metrics::counter!("kuvert_syncs_total", "store" => store, "kind" => kind).increment(syncs);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::{DurableBatch, FolderSyncs, lock, write_durably};

    #[test]
    fn a_file_written_durably_is_there_under_its_name_without_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let syncs = FolderSyncs::new("test");
        let path = dir.path().join("new/folder/letter.xml");
        write_durably(&syncs, &path, b"<brev/>").unwrap();
        write_durably(&syncs, &path, b"<brev>igen</brev>").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"<brev>igen</brev>");
        let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["letter.xml"]);
    }

    #[test]
    fn a_batch_syncs_each_folder_once_at_its_end_and_leaves_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let syncs = FolderSyncs::new("test");
        let batch = DurableBatch::new(&syncs);
        for (folder, name) in [
            ("a", "1.pdf"),
            ("a", "2.pdf"),
            ("b", "3.pdf"),
            ("a", "4.pdf"),
        ] {
            let path = dir.path().join(folder).join(name);
            batch.write(&path, name.as_bytes()).unwrap();
        }
        let requests = |folder: &str| {
            let folders = lock(&syncs.folders);
            folders
                .get(&dir.path().join(folder))
                .map_or(0, |sync| lock(&sync.state).requested)
        };
        assert_eq!(
            (requests("a"), requests("b")),
            (0, 0),
            "no folder sync before the end"
        );
        batch.finish().unwrap();
        assert_eq!((requests("a"), requests("b")), (1, 1), "one sync a folder");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(std::fs::read(dir.path().join("b/3.pdf")).unwrap(), b"3.pdf");
    }

    #[test]
    fn concurrent_writers_each_return_after_a_folder_sync_and_all_files_are_whole() {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let syncs = FolderSyncs::new("test");
        let threads: Vec<_> = (0..8)
            .map(|thread| {
                let (dir, syncs) = (Arc::clone(&dir), syncs.clone());
                std::thread::spawn(move || {
                    for n in 0..25 {
                        let path = dir.path().join(format!("{thread}-{n}.xml"));
                        write_durably(&syncs, &path, format!("{thread}/{n}").as_bytes()).unwrap();
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().unwrap();
        }
        for thread in 0..8 {
            for n in 0..25 {
                let text = std::fs::read_to_string(dir.path().join(format!("{thread}-{n}.xml")));
                assert_eq!(text.unwrap(), format!("{thread}/{n}"));
            }
        }
        let state = syncs.folders.lock().unwrap()[dir.path()]
            .state
            .lock()
            .unwrap()
            .synced;
        assert_eq!(state, 200, "every ticket is covered by a finished sync");
    }

    #[test]
    fn the_folder_of_a_bare_relative_name_is_the_current_one() {
        let parent = Path::new("lista.csv").parent().unwrap();
        assert_eq!(super::or_current(parent), Path::new("."));
        let parent = Path::new("utskick.csv.paper/line-4.pdf").parent().unwrap();
        assert_eq!(super::or_current(parent), Path::new("utskick.csv.paper"));
        let syncs = FolderSyncs::new("test");
        syncs.sync(super::or_current(Path::new(""))).unwrap();
    }

    #[test]
    fn a_folder_that_cannot_be_synced_is_an_error_not_a_promise() {
        let dir = tempfile::tempdir().unwrap();
        let syncs = FolderSyncs::new("test");
        let missing = dir.path().join("gone");
        assert!(syncs.sync(&missing).is_err());
    }
}
