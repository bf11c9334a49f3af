//! A list's members as a set of contact ids that pages in O(limit + log n).
//!
//! A sorted set paged with `skip(offset)` walks `offset` entries per page, so
//! reading a million-member list 1,000 at a time takes ~5×10^8 steps. Here the
//! ids are bits of a bitmap, grouped in blocks whose member counts sit in a
//! Fenwick tree: the member at any rank is found in O(log n), membership
//! changes cost O(log n), and paging stays cheap while a client interleaves
//! reads and removals. Contact ids are dense (1, 2, 3, ...), so the bitmap of a
//! million contacts is 125 KB per list.

/// Words per block: a block covers 1,024 contact ids.
const BLOCK_WORDS: usize = 16;

#[derive(Debug, Clone, Default)]
pub(crate) struct MemberSet {
    /// Bit `id % 64` of word `id / 64` is set for members.
    words: Vec<u64>,
    /// Members per block.
    counts: Vec<u32>,
    /// Fenwick tree over `counts`, 1-based (`tree[0]` is unused).
    tree: Vec<u32>,
    len: usize,
}

impl MemberSet {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Adds `id`; false if it was already a member.
    pub fn insert(&mut self, id: u64) -> bool {
        let (word, bit) = position(id);
        if word >= self.words.len() {
            self.grow(word + 1);
        }
        if self.words[word] & bit != 0 {
            return false;
        }
        self.words[word] |= bit;
        self.adjust(word / BLOCK_WORDS, 1);
        true
    }

    /// Removes `id`; false if it was not a member.
    pub fn remove(&mut self, id: u64) -> bool {
        let (word, bit) = position(id);
        if self.words.get(word).is_none_or(|w| w & bit == 0) {
            return false;
        }
        self.words[word] &= !bit;
        self.adjust(word / BLOCK_WORDS, -1);
        true
    }

    /// Every member, ascending.
    pub fn ids(&self) -> Vec<u64> {
        self.page(0, self.len, false)
    }

    /// Members `offset..offset + limit` in ascending or descending id order.
    pub fn page(&self, offset: usize, limit: usize, desc: bool) -> Vec<u64> {
        if offset >= self.len || limit == 0 {
            return Vec::new();
        }
        let take = limit.min(self.len - offset);
        let mut ids = Vec::with_capacity(take);
        if desc {
            let mut id = self.select(self.len - 1 - offset);
            while ids.len() < take {
                ids.push(id);
                match self.previous(id) {
                    Some(previous) => id = previous,
                    None => break,
                }
            }
        } else {
            let mut id = self.select(offset);
            while ids.len() < take {
                ids.push(id);
                match self.next(id) {
                    Some(next) => id = next,
                    None => break,
                }
            }
        }
        ids
    }

    /// Members of at least one of `sets`, in one pass over their words.
    pub fn union<'a>(sets: impl IntoIterator<Item = &'a MemberSet>) -> MemberSet {
        let mut union = MemberSet::default();
        for set in sets {
            union.grow(set.words.len());
            for (mine, theirs) in union.words.iter_mut().zip(&set.words) {
                *mine |= theirs;
            }
        }
        union.recount();
        union
    }

    /// The member with `rank` members below it (`rank < len`).
    fn select(&self, rank: usize) -> u64 {
        debug_assert!(rank < self.len, "rank {rank} of {}", self.len);
        // Fenwick descent: the last block whose prefix count is <= rank.
        let mut block = 0;
        let mut rest = rank as u32;
        let mut step = (self.counts.len() + 1).next_power_of_two();
        while step > 0 {
            let next = block + step;
            if next <= self.counts.len() && self.tree[next] <= rest {
                block = next;
                rest -= self.tree[next];
            }
            step /= 2;
        }
        let first_word = block * BLOCK_WORDS;
        for (offset, &word) in self.words[first_word..first_word + BLOCK_WORDS]
            .iter()
            .enumerate()
        {
            let ones = word.count_ones();
            if rest < ones {
                let mut bits = word;
                for _ in 0..rest {
                    bits &= bits - 1;
                }
                return ((first_word + offset) * 64) as u64 + u64::from(bits.trailing_zeros());
            }
            rest -= ones;
        }
        unreachable!("block counts match the bitmap")
    }

    /// The smallest member above `id`; skips empty blocks whole.
    fn next(&self, id: u64) -> Option<u64> {
        let (mut word, _) = position(id);
        let mut bits = self.words[word] & ((u64::MAX << (id % 64)) << 1);
        loop {
            if bits != 0 {
                return Some((word * 64) as u64 + u64::from(bits.trailing_zeros()));
            }
            word += 1;
            while word % BLOCK_WORDS == 0 && self.counts.get(word / BLOCK_WORDS) == Some(&0) {
                word += BLOCK_WORDS;
            }
            bits = *self.words.get(word)?;
        }
    }

    /// The largest member below `id`; skips empty blocks whole.
    fn previous(&self, id: u64) -> Option<u64> {
        let (mut word, _) = position(id);
        let mut bits = self.words[word] & ((1u64 << (id % 64)) - 1);
        loop {
            if bits != 0 {
                return Some((word * 64) as u64 + 63 - u64::from(bits.leading_zeros()));
            }
            word = word.checked_sub(1)?;
            while word % BLOCK_WORDS == BLOCK_WORDS - 1 && self.counts[word / BLOCK_WORDS] == 0 {
                word = word.checked_sub(BLOCK_WORDS)?;
            }
            bits = self.words[word];
        }
    }

    fn adjust(&mut self, block: usize, delta: i32) {
        self.counts[block] = self.counts[block].wrapping_add_signed(delta);
        self.len = self.len.wrapping_add_signed(delta as isize);
        let mut index = block + 1;
        while index < self.tree.len() {
            self.tree[index] = self.tree[index].wrapping_add_signed(delta);
            index += index & index.wrapping_neg();
        }
    }

    /// Makes room for `words` words, at least doubling so growth is amortised O(1) per id.
    fn grow(&mut self, words: usize) {
        if words <= self.words.len() {
            return;
        }
        let blocks = words
            .div_ceil(BLOCK_WORDS)
            .max(2 * self.counts.len())
            .max(1);
        self.words.resize(blocks * BLOCK_WORDS, 0);
        self.recount();
    }

    /// Rebuilds the counts and the Fenwick tree from the bitmap, in O(words).
    fn recount(&mut self) {
        self.counts = self
            .words
            .chunks(BLOCK_WORDS)
            .map(|block| block.iter().map(|word| word.count_ones()).sum())
            .collect();
        self.len = self.counts.iter().map(|&count| count as usize).sum();
        self.tree = vec![0; self.counts.len() + 1];
        for (block, &count) in self.counts.iter().enumerate() {
            let index = block + 1;
            self.tree[index] += count;
            let parent = index + (index & index.wrapping_neg());
            if parent < self.tree.len() {
                self.tree[parent] += self.tree[index];
            }
        }
    }
}

/// Word index and bit mask of an id.
fn position(id: u64) -> (usize, u64) {
    ((id / 64) as usize, 1 << (id % 64))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Instant;

    use super::*;

    /// A deterministic pseudo-random sequence (xorshift), to mix inserts and removals.
    fn sequence(mut state: u64) -> impl Iterator<Item = u64> {
        std::iter::from_fn(move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Some(state)
        })
    }

    #[test]
    fn matches_a_sorted_set_under_random_changes() {
        let mut set = MemberSet::default();
        let mut reference = BTreeSet::new();
        for (step, random) in sequence(42).take(20_000).enumerate() {
            // Ids cluster below 5,000 with a few far out, so blocks are both full and empty.
            let id = if random % 50 == 0 {
                random % 200_000
            } else {
                random % 5_000
            };
            let (changed, expected) = if random % 3 == 0 {
                (set.remove(id), reference.remove(&id))
            } else {
                (set.insert(id), reference.insert(id))
            };
            assert_eq!(changed, expected, "step {step}, id {id}");
        }
        assert_eq!(set.len(), reference.len());
        let all: Vec<u64> = reference.iter().copied().collect();
        assert_eq!(set.ids(), all);
        for (offset, limit) in [
            (0, 1),
            (1, 7),
            (100, 500),
            (all.len() - 3, 10),
            (all.len(), 5),
        ] {
            let asc: Vec<u64> = all.iter().copied().skip(offset).take(limit).collect();
            let desc: Vec<u64> = all.iter().rev().copied().skip(offset).take(limit).collect();
            assert_eq!(set.page(offset, limit, false), asc, "asc {offset}+{limit}");
            assert_eq!(set.page(offset, limit, true), desc, "desc {offset}+{limit}");
        }
        assert!(!set.remove(u64::MAX / 2));
    }

    #[test]
    fn unions_and_edges() {
        let mut odd = MemberSet::default();
        let mut low = MemberSet::default();
        for id in 0..3_000 {
            if id % 2 == 1 {
                odd.insert(id);
            }
            if id < 100 {
                low.insert(id);
            }
        }
        let union = MemberSet::union([&odd, &low]);
        assert_eq!(union.len(), 1_500 + 50);
        assert_eq!(union.page(0, 3, false), [0, 1, 2]);
        assert_eq!(union.page(0, 2, true), [2_999, 2_997]);
        for id in [63, 64, 127, 1_023, 1_024] {
            let mut single = MemberSet::default();
            single.insert(id);
            assert_eq!(
                (single.ids(), single.page(0, 1, true)),
                (vec![id], vec![id])
            );
        }
        assert!(MemberSet::default().page(0, 10, true).is_empty());
    }

    #[test]
    fn pages_a_million_members_in_constant_time_per_page() {
        let mut set = MemberSet::default();
        for id in 1..=1_000_000 {
            set.insert(id);
        }
        // Every 7th contact leaves, as a mirror sync would remove leavers.
        for id in (7..=1_000_000).step_by(7) {
            set.remove(id);
        }
        let started = Instant::now();
        let mut seen = 0;
        let mut last = 0;
        for offset in (0..set.len()).step_by(1_000) {
            let page = set.page(offset, 1_000, false);
            assert!(page[0] > last);
            last = *page.last().unwrap();
            seen += page.len();
        }
        assert_eq!(seen, 1_000_000 - 142_857);
        assert_eq!(set.page(set.len() - 1, 1_000, false), [1_000_000]);
        // ~860 pages; O(offset) paging would walk ~3.7×10^8 entries.
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}
