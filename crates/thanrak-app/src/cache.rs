//! A small in-process cache whose entries are trusted for a fixed time.
//!
//! Used for what a busy server reads far more often than it changes: the figures of an area
//! (stored at scoring time), and who an API token or session belongs to. A server clears its own
//! caches when it changes what they hold (an import or a logout through it); a change made by
//! another process (the CLI, a second server on PostgreSQL) is seen once the entry's time is up.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries of type `V` under keys `K`, each trusted for `ttl` after it was put in.
#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl: Duration,
    capacity: usize,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// An empty cache of at most `capacity` entries, each trusted for `ttl`.
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        TtlCache {
            ttl,
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding the lock cannot leave the map half-changed in a way that
        // matters: every entry is either there or not.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The entry under `key`, if it was put in less than the cache's time ago.
    pub fn get(&self, key: &K) -> Option<V> {
        let map = self.lock();
        map.get(key)
            .filter(|(at, _)| at.elapsed() < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// The entry under `key` if it is fresh; otherwise `make()` is put there and returned, in
    /// one step, so that callers arriving together share one new entry.
    pub fn get_or_insert_with(&self, key: K, make: impl FnOnce() -> V) -> V {
        let mut map = self.lock();
        if let Some((at, v)) = map.get(&key) {
            if at.elapsed() < self.ttl {
                return v.clone();
            }
        }
        let value = make();
        self.put(&mut map, key, value.clone());
        value
    }

    /// Puts `value` under `key`. A full cache first drops its stale entries, then everything.
    pub fn insert(&self, key: K, value: V) {
        let mut map = self.lock();
        self.put(&mut map, key, value);
    }

    fn put(&self, map: &mut HashMap<K, (Instant, V)>, key: K, value: V) {
        if map.len() >= self.capacity && !map.contains_key(&key) {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
            if map.len() >= self.capacity {
                map.clear();
            }
        }
        map.insert(key, (Instant::now(), value));
    }

    /// Forgets the entry under `key`.
    pub fn remove(&self, key: &K) {
        self.lock().remove(key);
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The number of entries held, stale ones included.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_capacity_is_kept() {
        let c = TtlCache::new(Duration::from_millis(50), 2);
        c.insert("a", 1);
        assert_eq!(c.get(&"a"), Some(1));
        assert_eq!(c.get(&"b"), None);
        c.insert("b", 2);
        // Full: the fresh entries are dropped to make room.
        c.insert("c", 3);
        assert_eq!(c.len(), 1);
        assert_eq!(c.get(&"c"), Some(3));
        // Replacing an entry of a full cache keeps the others.
        c.insert("d", 4);
        c.insert("d", 5);
        assert_eq!((c.get(&"c"), c.get(&"d")), (Some(3), Some(5)));
        c.remove(&"c");
        assert_eq!(c.get(&"c"), None);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(c.get(&"d"), None, "an entry past its time is not returned");
        c.insert("e", 6);
        assert_eq!(c.len(), 2, "a stale entry stays until room is needed");
        c.insert("f", 7);
        assert_eq!(c.len(), 2, "stale entries go first when the cache is full");
        assert_eq!((c.get(&"e"), c.get(&"f")), (Some(6), Some(7)));
        c.clear();
        assert!(c.is_empty());
    }
}
