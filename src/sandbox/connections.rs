//! The cap on open connections, so that a local process cannot pin down the sandbox (and the
//! window's memory) with thousands of idle sockets.
//!
//! At the cap a new connection first takes the place of the oldest *idle* one (no request being
//! answered on it: it is waiting for a request or half-way through sending its head); only when
//! every connection has a request in flight is the new one closed at once. Evicting idle ones
//! rather than refusing the newcomer keeps the product's own client working while someone holds
//! hundreds of idle connections open.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// The open connections of one sandbox.
#[derive(Debug)]
pub struct Connections {
    max: usize,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    next_id: u64,
    /// By id, so the oldest comes first.
    by_id: BTreeMap<u64, Entry>,
}

#[derive(Debug)]
struct Entry {
    busy: Arc<AtomicUsize>,
    close: oneshot::Sender<()>,
}

/// What became of a new connection.
#[derive(Debug)]
pub enum Admission {
    /// Served; `evicted` tells whether an idle connection was closed to make room.
    Admitted {
        /// The connection's place, given back when dropped.
        slot: Slot,
        /// An idle connection was closed for this one.
        evicted: bool,
    },
    /// Every connection has a request in flight: this one is closed unanswered.
    Refused,
}

/// One admitted connection's place among the open ones.
#[derive(Debug)]
pub struct Slot {
    id: u64,
    connections: Arc<Connections>,
    busy: Arc<AtomicUsize>,
    /// Resolves when the connection is evicted (or its entry is gone).
    pub closed: oneshot::Receiver<()>,
}

impl Connections {
    /// At most `max` open connections (at least 1).
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self { max: max.max(1), open: Mutex::default() })
    }

    /// Makes room for a new connection if it can.
    pub fn admit(self: &Arc<Self>) -> Admission {
        let mut open = crate::sync::lock(&self.open);
        let mut evicted = false;
        if open.by_id.len() >= self.max {
            let idle = open.by_id.iter().find(|(_, entry)| entry.busy.load(Ordering::SeqCst) == 0).map(|(id, _)| *id);
            let Some(entry) = idle.and_then(|id| open.by_id.remove(&id)) else { return Admission::Refused };
            // The receiver is gone when that connection already ended; nothing to close then.
            entry.close.send(()).ok();
            evicted = true;
        }
        let id = open.next_id;
        open.next_id += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        let (close, closed) = oneshot::channel();
        open.by_id.insert(id, Entry { busy: Arc::clone(&busy), close });
        drop(open);
        Admission::Admitted { slot: Slot { id, connections: Arc::clone(self), busy, closed }, evicted }
    }

    /// How many connections are open now.
    pub fn count(&self) -> usize {
        crate::sync::lock(&self.open).by_id.len()
    }
}

impl Slot {
    /// The count of requests in flight on this connection, raised by [`Busy`]: a connection
    /// answering a request is never evicted.
    pub fn busy_counter(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.busy)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        crate::sync::lock(&self.connections.open).by_id.remove(&self.id);
    }
}

/// A request in flight on a connection (see [`Slot::busy_counter`]).
#[derive(Debug)]
pub struct Busy(Arc<AtomicUsize>);

impl Busy {
    /// Raises `counter` until dropped.
    pub fn on(counter: &Arc<AtomicUsize>) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(counter))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_the_cap_the_oldest_idle_connection_makes_room_and_busy_ones_never_do() {
        let connections = Connections::new(2);
        let Admission::Admitted { slot: first, evicted: false } = connections.admit() else { panic!("first") };
        let Admission::Admitted { slot: second, evicted: false } = connections.admit() else { panic!("second") };
        let _answering = Busy::on(&second.busy_counter());
        let Admission::Admitted { slot: third, evicted: true } = connections.admit() else { panic!("third") };
        let mut first = first;
        assert!(first.closed.try_recv().is_ok(), "the oldest idle one is told to close");
        drop(first);
        assert_eq!(connections.count(), 2);
        let _also_answering = Busy::on(&third.busy_counter());
        assert!(matches!(connections.admit(), Admission::Refused), "both are answering");
        drop(third);
        assert!(matches!(connections.admit(), Admission::Admitted { evicted: false, .. }));
    }
}
