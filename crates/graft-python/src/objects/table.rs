//! The table of the objects living in the gateway: by id, by the Python
//! object (so one returned again keeps its id), and how many each owner
//! holds (for `--maxObjects`); kept apart from [`Objects`](super::Objects)
//! so that the three maps change together, in one place.

use std::collections::HashMap;
use std::sync::Arc;

use super::Object;

/// The objects, found by id or by instance, and counted by owner.
#[derive(Default)]
pub(super) struct Table {
    /// Each object, by its id (what a reference names).
    pub(super) by_id: HashMap<String, Arc<Object>>,
    /// The id of each Python object living here, by its address (held, so
    /// its own): one returned again keeps its id.
    pub(super) by_instance: HashMap<usize, String>,
    /// How many objects each owner holds.
    owned: HashMap<u64, usize>,
}

impl Table {
    /// Adds `object`, counted against its owner.
    pub(super) fn insert(&mut self, object: Arc<Object>) {
        *self.owned.entry(object.owner).or_default() += 1;
        let address = object.instance.as_ptr() as usize;
        self.by_instance.insert(address, object.id.clone());
        self.by_id.insert(object.id.clone(), object);
    }

    /// Takes out the object `id`, and its owner's count with it.
    pub(super) fn take(&mut self, id: &str) -> Option<Arc<Object>> {
        let object = self.by_id.remove(id)?;
        self.by_instance
            .remove(&(object.instance.as_ptr() as usize));
        if let Some(held) = self.owned.get_mut(&object.owner) {
            *held -= 1;
            if *held == 0 {
                self.owned.remove(&object.owner);
            }
        }
        Some(object)
    }

    /// Why `owner` may not make another object, if it may not.
    pub(super) fn full(&self, owner: u64, max: usize) -> Option<String> {
        let held = self.owned.get(&owner).copied().unwrap_or(0);
        let who = if owner == 0 {
            "the gateway's HTTP callers hold"
        } else {
            "this connection holds"
        };
        let why =
            format!("{who} {held} objects, the limit (--maxObjects {max}): release some first");
        (held >= max).then_some(why)
    }

    /// Takes out every object (the gateway is stopping).
    pub(super) fn take_all(&mut self) -> Vec<Arc<Object>> {
        self.owned.clear();
        self.by_instance.clear();
        self.by_id.drain().map(|(_, object)| object).collect()
    }
}
