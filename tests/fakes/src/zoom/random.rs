//! Unpredictable strings for codes and tokens (std's randomly keyed hasher over a counter;
//! good enough for a fake, no extra dependency).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Base64url characters, as Zoom's codes and tokens use.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

    /// `len` base64url characters.
    pub(crate) fn string(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len);
        while out.len() < len {
            let mut bits = self.next();
            for _ in 0..10 {
                if out.len() == len {
                    break;
                }
                out.push(char::from(ALPHABET[(bits & 63) as usize]));
                bits >>= 6;
            }
        }
        out
    }
}
