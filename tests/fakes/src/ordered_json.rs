//! JSON whose objects keep their key order, for byte-exact vendor bodies (serde_json's own
//! map sorts keys).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their key order.
#[derive(Clone, Debug)]
pub(crate) enum J {
    V(Value),
    O(Vec<(String, J)>),
    A(Vec<J>),
}

impl J {
    /// `pairs` as an ordered JSON object.
    pub(crate) fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, J)>) -> J {
        J::O(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

impl<T: Into<Value>> From<T> for J {
    fn from(v: T) -> J {
        J::V(v.into())
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::V(v) => v.serialize(s),
            J::O(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
            J::A(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
        }
    }
}
