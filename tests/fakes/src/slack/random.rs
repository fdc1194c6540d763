//! Unpredictable strings for codes and tokens (std's randomly keyed hasher over a counter;
//! good enough for a fake, no extra dependency).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

const HEX: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";

#[derive(Debug, Default)]
pub(crate) struct Random {
    keys: RandomState,
    counter: u64,
}

impl Random {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        let mut hasher = self.keys.build_hasher();
        hasher.write_u64(self.counter);
        hasher.finish()
    }

    fn from(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[(self.next() % alphabet.len() as u64) as usize]))
            .collect()
    }

    /// `len` lower-case hex digits.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        self.from(HEX, len)
    }

    /// `len` decimal digits, the first not 0.
    pub(crate) fn digits(&mut self, len: usize) -> String {
        let first = self.from(&DIGITS[1..], 1);
        first + &self.from(DIGITS, len.saturating_sub(1))
    }
}
