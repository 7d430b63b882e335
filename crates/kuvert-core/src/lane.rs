//! Lanes and fair turns: why a caseworker's single letter never waits behind a national mass
//! mailing (issue 14, part 5).
//!
//! Denmark's Digital Post tells its senders that business receipts can take hours when some
//! senders push mass mailings through the single-letter interface. Kuvert keeps two
//! [`Lane`]s: work for one letter (`Single`, the default) always goes before mass-mailing
//! work (`Bulk`), and within a lane the parties (the TLS caller at an operator, the sender in
//! the toolkit) take turns, so one party's thousands of queued letters cannot starve another
//! party's few. [`FairQueue`] is that rule as a data structure, without I/O or async; the CPU
//! pools of the operator and the sender toolkit (`kuvert_web::cpu_pool`) wait on it.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Which queue a piece of work waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// One letter someone is waiting for (a caseworker's send, a sender system's single
    /// post): served first.
    Single,
    /// A letter of a mass mailing: served when no single letter waits.
    Bulk,
}

impl Lane {
    /// The value of the `Kuvert-Lane` request header that marks mass-mailing deliveries.
    pub const BULK_HEADER_VALUE: &'static str = "bulk";

    /// The lane a request header value names: `bulk` (any case) is [`Lane::Bulk`]; anything
    /// else, or no header, is [`Lane::Single`]. A sender that leaves the header out gains
    /// nothing: within a lane every party still only gets its turn.
    #[must_use]
    pub fn from_header(value: Option<&str>) -> Self {
        match value {
            Some(value) if value.trim().eq_ignore_ascii_case(Self::BULK_HEADER_VALUE) => Self::Bulk,
            _ => Self::Single,
        }
    }
}

/// Waiting items per lane and party: [`FairQueue::pop`] takes from the `Single` lane while it
/// has any, and within a lane from each party in turn (round robin), each party's items in
/// the order they came.
#[derive(Debug)]
pub struct FairQueue<P, T> {
    single: Turns<P, T>,
    bulk: Turns<P, T>,
}

/// One lane: the parties with waiting items in turn order, and their items.
#[derive(Debug)]
struct Turns<P, T> {
    order: VecDeque<P>,
    items: HashMap<P, VecDeque<T>>,
}

impl<P: Clone + Eq + Hash, T> Default for FairQueue<P, T> {
    fn default() -> Self {
        Self {
            single: Turns::default(),
            bulk: Turns::default(),
        }
    }
}

impl<P: Clone + Eq + Hash, T> Default for Turns<P, T> {
    fn default() -> Self {
        Self {
            order: VecDeque::new(),
            items: HashMap::new(),
        }
    }
}

impl<P: Clone + Eq + Hash, T> FairQueue<P, T> {
    /// Queues `item` for `party` in `lane`.
    pub fn push(&mut self, lane: Lane, party: P, item: T) {
        self.lane_mut(lane).push(party, item);
    }

    /// The next item by the rules above, or `None` when nothing waits.
    pub fn pop(&mut self) -> Option<T> {
        self.single.pop().or_else(|| self.bulk.pop())
    }

    /// How many items wait in `lane`.
    #[must_use]
    pub fn waiting(&self, lane: Lane) -> usize {
        let turns = match lane {
            Lane::Single => &self.single,
            Lane::Bulk => &self.bulk,
        };
        turns.items.values().map(VecDeque::len).sum()
    }

    fn lane_mut(&mut self, lane: Lane) -> &mut Turns<P, T> {
        match lane {
            Lane::Single => &mut self.single,
            Lane::Bulk => &mut self.bulk,
        }
    }
}

impl<P: Clone + Eq + Hash, T> Turns<P, T> {
    fn push(&mut self, party: P, item: T) {
        let items = self.items.entry(party.clone()).or_default();
        if items.is_empty() {
            self.order.push_back(party);
        }
        items.push_back(item);
    }

    fn pop(&mut self) -> Option<T> {
        let party = self.order.pop_front()?;
        let items = self.items.get_mut(&party)?;
        let item = items.pop_front();
        if items.is_empty() {
            self.items.remove(&party);
        } else {
            self.order.push_back(party);
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::{FairQueue, Lane};

    #[test]
    fn single_letters_go_before_any_bulk_letter() {
        let mut queue = FairQueue::default();
        for n in 0..100 {
            queue.push(Lane::Bulk, "skatteverket", n);
        }
        queue.push(Lane::Single, "skatteverket", 1000);
        queue.push(Lane::Single, "kommunen", 2000);
        assert_eq!(queue.pop(), Some(1000));
        assert_eq!(queue.pop(), Some(2000));
        assert_eq!(queue.pop(), Some(0));
        assert_eq!(queue.waiting(Lane::Bulk), 99);
        assert_eq!(queue.waiting(Lane::Single), 0);
    }

    #[test]
    fn parties_take_turns_within_a_lane_each_in_arrival_order() {
        let mut queue = FairQueue::default();
        for n in 0..3 {
            queue.push(Lane::Bulk, 'a', n);
        }
        queue.push(Lane::Bulk, 'b', 10);
        queue.push(Lane::Bulk, 'c', 20);
        queue.push(Lane::Bulk, 'c', 21);
        let order: Vec<i32> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(order, [0, 10, 20, 1, 21, 2]);
        assert_eq!(queue.pop(), None);
    }

    #[test]
    fn a_party_that_empties_and_returns_goes_to_the_back() {
        let mut queue = FairQueue::default();
        queue.push(Lane::Single, 'a', 1);
        queue.push(Lane::Single, 'b', 2);
        assert_eq!(queue.pop(), Some(1));
        queue.push(Lane::Single, 'a', 3);
        assert_eq!(queue.pop(), Some(2));
        assert_eq!(queue.pop(), Some(3));
    }

    #[test]
    fn the_header_names_the_bulk_lane_and_nothing_else() {
        assert_eq!(Lane::from_header(Some("bulk")), Lane::Bulk);
        assert_eq!(Lane::from_header(Some(" BULK ")), Lane::Bulk);
        assert_eq!(Lane::from_header(Some("single")), Lane::Single);
        assert_eq!(Lane::from_header(Some("")), Lane::Single);
        assert_eq!(Lane::from_header(None), Lane::Single);
    }
}
