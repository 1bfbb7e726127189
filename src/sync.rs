//! Locking shared state across threads.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, going on after a panic elsewhere: every holder in this crate changes its data
/// in single steps (an insert, a removal, a take), so a poisoned lock still holds consistent data.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
