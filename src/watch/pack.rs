//! Packed objects: what the watch stores keep of the kinds a cluster holds by the
//! thousand (Pods, Events). A k8s-openapi `Pod` takes about 9 KB in memory (most of it
//! the inline room of empty fields: one projected `Volume` is 3 KB), its JSON about 3 KB.
//! Objects of one kind repeat each other (the pods of a ReplicaSet differ in a few names,
//! addresses and times), so the JSON is compressed with a zstd dictionary trained on the
//! first objects of the kind's list: a few hundred bytes per object.
//!
//! A store's objects are packed with one [`Codec`] (a relist trains a new one and swaps it
//! in with the new list); readers unpack with an [`Unpacker`] made once per read.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use zstd::bulk::{Compressor, Decompressor};
use zstd::zstd_safe::CParameter;

/// How many objects of a list are kept waiting for the dictionary that is trained on
/// them; the rest of the list is packed as it comes.
const SAMPLES: usize = 1000;
/// Fewer objects than this are too few to train on: they are kept as plain JSON.
const MIN_SAMPLES: usize = 64;
const DICTIONARY_BYTES: usize = 32 * 1024;
/// zstd's default level: at these sizes it packs an object in a few microseconds.
const LEVEL: i32 = 3;
/// The first bytes of a zstd frame; JSON objects start with `{`.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// The dictionary the objects of one store are packed with; shared by its writer and
/// readers.
#[derive(Debug, Default)]
pub struct Codec {
    /// Empty: objects are kept as plain JSON.
    dictionary: Vec<u8>,
}

impl Codec {
    /// A dictionary trained on `samples` (JSON of objects of one kind), or none when they
    /// are too few to train on.
    fn train(samples: &[&[u8]]) -> Codec {
        let dictionary = match samples.len() >= MIN_SAMPLES {
            true => zstd::dict::from_samples(samples, DICTIONARY_BYTES).unwrap_or_default(),
            false => Vec::new(),
        };
        Codec { dictionary }
    }

    /// Packs objects with this codec.
    pub fn packer(self: &Arc<Self>) -> Packer {
        let compressor = (!self.dictionary.is_empty())
            .then(|| Compressor::with_dictionary(LEVEL, &self.dictionary).ok())
            .flatten()
            .map(|mut c| {
                // The codec is known to the reader: its id need not be in every object.
                let _ = c.set_parameter(CParameter::DictIdFlag(false));
                c
            });
        Packer {
            codec: self.clone(),
            compressor,
            scratch: Vec::new(),
        }
    }

    /// Unpacks objects packed with this codec.
    pub fn unpacker(&self) -> Unpacker {
        let decompressor = (!self.dictionary.is_empty())
            .then(|| Decompressor::with_dictionary(&self.dictionary).ok())
            .flatten();
        Unpacker {
            decompressor,
            scratch: Vec::new(),
        }
    }
}

/// Packs the objects of one store; owned by its writer.
pub struct Packer {
    codec: Arc<Codec>,
    compressor: Option<Compressor<'static>>,
    scratch: Vec<u8>,
}

impl Packer {
    /// The codec readers unpack with.
    pub fn codec(&self) -> &Arc<Codec> {
        &self.codec
    }

    /// `json` packed; kept as it is when there is no dictionary or it does not compress.
    pub fn pack(&mut self, json: &[u8]) -> Box<[u8]> {
        if let Some(c) = self.compressor.as_mut() {
            self.scratch.clear();
            self.scratch
                .reserve(zstd::zstd_safe::compress_bound(json.len()));
            if let Ok(n) = c.compress_to_buffer(json, &mut self.scratch)
                && n < json.len()
            {
                return self.scratch[..n].into();
            }
        }
        json.into()
    }
}

/// Unpacks the objects of one store, for one read.
pub struct Unpacker {
    decompressor: Option<Decompressor<'static>>,
    scratch: Vec<u8>,
}

impl Unpacker {
    /// The JSON of a packed object; `None` when it does not decompress.
    pub fn json<'a>(&'a mut self, packed: &'a [u8]) -> Option<&'a [u8]> {
        if !packed.starts_with(&ZSTD_MAGIC) {
            return Some(packed);
        }
        let size = zstd::zstd_safe::get_frame_content_size(packed).ok()??;
        let d = self.decompressor.as_mut()?;
        self.scratch.clear();
        self.scratch.reserve(usize::try_from(size).ok()?);
        d.decompress_to_buffer(packed, &mut self.scratch).ok()?;
        Some(&self.scratch)
    }

    /// A packed object, deserialized.
    pub fn object<T: DeserializeOwned>(&mut self, packed: &[u8]) -> Option<T> {
        serde_json::from_slice(self.json(packed)?).ok()
    }
}

/// A list being gathered (the `Init` … `InitDone` of a watcher): its first objects wait,
/// as JSON, for the dictionary trained on them; the rest are packed as they come. `T` is
/// what the store keeps beside an object's packed JSON.
pub struct Gather<T> {
    waiting: Vec<(T, Vec<u8>)>,
    packer: Option<Packer>,
}

impl<T> Default for Gather<T> {
    fn default() -> Self {
        Gather {
            waiting: Vec::new(),
            packer: None,
        }
    }
}

impl<T> Gather<T> {
    /// Adds one object of the list; `place` gets every object this call packs.
    pub fn push(&mut self, item: T, json: Vec<u8>, place: &mut impl FnMut(T, Box<[u8]>)) {
        match self.packer.as_mut() {
            Some(p) => place(item, p.pack(&json)),
            None => {
                self.waiting.push((item, json));
                if self.waiting.len() >= SAMPLES {
                    self.train(place);
                }
            }
        }
    }

    /// The list is complete: packs what still waits, and gives the packer for the changes
    /// that follow.
    pub fn finish(mut self, place: &mut impl FnMut(T, Box<[u8]>)) -> Packer {
        if self.packer.is_none() {
            self.train(place);
        }
        self.packer
            .take()
            .unwrap_or_else(|| Arc::new(Codec::default()).packer())
    }

    fn train(&mut self, place: &mut impl FnMut(T, Box<[u8]>)) {
        let samples: Vec<&[u8]> = self.waiting.iter().map(|(_, j)| j.as_slice()).collect();
        let mut packer = Arc::new(Codec::train(&samples)).packer();
        for (item, json) in self.waiting.drain(..) {
            place(item, packer.pack(&json));
        }
        self.waiting = Vec::new();
        self.packer = Some(packer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod_json(i: usize) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "metadata": {"name": format!("web-7d9f8-{i:05}"), "namespace": "shop",
                "uid": format!("0a1b2c3d-{i:04}-4e5f-8a9b-{:012}", i * 7919),
                "labels": {"app": "web", "pod-template-hash": "7d9f8"}},
            "spec": {"nodeName": format!("worker-{}", i % 13), "containers": [{"name": "web",
                "image": "registry.example.com/shop/web:1.4.2",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]},
            "status": {"phase": "Running", "podIP": format!("10.244.{}.{}", i / 250, i % 250)},
        }))
        .expect("json")
    }

    /// Objects by their number in the list, packed.
    type Packed = Vec<(usize, Box<[u8]>)>;

    fn gather(n: usize) -> (Packed, Packer) {
        let mut packed = Vec::new();
        let mut place = |i, p| packed.push((i, p));
        let mut g = Gather::default();
        for i in 0..n {
            g.push(i, pod_json(i), &mut place);
        }
        let packer = g.finish(&mut place);
        (packed, packer)
    }

    #[test]
    fn a_list_is_packed_small_and_every_object_comes_back_as_it_went_in() {
        let (packed, mut packer) = gather(3000);
        assert_eq!(
            packed.len(),
            3000,
            "every object of the list is placed once"
        );
        let mut unpacker = packer.codec().unpacker();
        let (raw, small): (usize, usize) = packed
            .iter()
            .map(|(i, p)| (pod_json(*i).len(), p.len()))
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        assert!(small * 3 < raw, "{small} packed bytes for {raw} of JSON");
        for (i, p) in &packed {
            assert_eq!(
                unpacker.json(p),
                Some(pod_json(*i).as_slice()),
                "object {i}"
            );
        }
        // A change after the list is packed with the list's dictionary.
        let later = packer.pack(&pod_json(99_999));
        assert!(later.starts_with(&ZSTD_MAGIC));
        let back: serde_json::Value = unpacker.object(&later).expect("unpacks");
        assert_eq!(back["metadata"]["name"], "web-7d9f8-99999");
    }

    #[test]
    fn a_list_too_short_to_train_on_is_kept_as_plain_json() {
        let (packed, mut packer) = gather(5);
        let mut unpacker = packer.codec().unpacker();
        for (i, p) in &packed {
            assert_eq!(&**p, pod_json(*i).as_slice());
            assert_eq!(unpacker.json(p), Some(pod_json(*i).as_slice()));
        }
        let later = packer.pack(b"{\"a\":1}");
        assert_eq!(unpacker.json(&later), Some(&b"{\"a\":1}"[..]));
    }

    #[test]
    fn bytes_that_do_not_decompress_unpack_to_nothing() {
        let (_, packer) = gather(200);
        let mut unpacker = packer.codec().unpacker();
        let mut broken = ZSTD_MAGIC.to_vec();
        broken.extend_from_slice(&[0xff; 12]);
        assert_eq!(unpacker.json(&broken), None);
    }
}
