//! A packed store: the objects of one kind, packed (`watch::pack`) and kept by namespace
//! and name, with what is read of each without unpacking it beside it ([`Glimpse`]). The
//! namespaced kinds that grow with the workloads are held this way (a Deployment or a
//! ReplicaSet carries a pod template: about 7 KB typed, a few hundred bytes packed); the
//! few cluster-scoped objects, read by every partition, stay typed in reflector stores.
//! Fed by the same `kube::runtime` watcher events as those, with the same relist: a new
//! list is gathered aside and swapped in whole, with the dictionary trained on it, when
//! it is complete.

use std::collections::{BTreeSet, HashMap};
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use serde::Serialize;

use super::objects::{Apply, Entry, Route, Touch};
use super::pack::{Codec, Gather, Packer, Unpacker};
use crate::model::Kind;
use crate::model::edge::Edge;

/// What a store keeps beside each packed object: read at every change without unpacking.
pub trait Glimpse<T>: Sized {
    fn of(object: &T) -> Self;

    /// Whether a change from `old` to `new` (`None`: absent) alters what partitions that
    /// weigh node capacity read (see `Touch::capacity`).
    fn capacity_changed(_old: Option<&Self>, _new: Option<&Self>) -> bool {
        false
    }
}

impl<T> Glimpse<T> for () {
    fn of(_: &T) {}
}

struct Slot<G> {
    glimpse: G,
    json: Box<[u8]>,
}

/// Namespace → name → object.
type Map<G> = HashMap<Box<str>, HashMap<Box<str>, Slot<G>>>;

/// Where an object goes (namespace, name) and its glimpse, waiting for its packed JSON.
type Place<G> = (Box<str>, Box<str>, G);

struct Inner<G> {
    codec: Arc<Codec>,
    map: Map<G>,
}

impl<G> Default for Inner<G> {
    fn default() -> Self {
        Inner {
            codec: Arc::default(),
            map: Map::new(),
        }
    }
}

/// The objects of one kind, for reading; cheap to clone.
pub struct Packed<T, G = ()> {
    inner: Arc<RwLock<Inner<G>>>,
    kind: PhantomData<fn() -> T>,
}

impl<T, G> Clone for Packed<T, G> {
    fn clone(&self) -> Self {
        Packed {
            inner: self.inner.clone(),
            kind: PhantomData,
        }
    }
}

/// Feeds a [`Packed`] store from watcher events; moved to the task that watches its kind.
pub struct PackedWriter<T, G = ()> {
    store: Packed<T, G>,
    packer: Packer,
    /// A relist being gathered.
    relist: Option<(Gather<Place<G>>, Map<G>)>,
}

/// A fresh, empty packed store.
pub fn store<T, G>() -> (Packed<T, G>, PackedWriter<T, G>) {
    let store = Packed {
        inner: Arc::default(),
        kind: PhantomData,
    };
    let writer = PackedWriter {
        store: store.clone(),
        packer: Arc::new(Codec::default()).packer(),
        relist: None,
    };
    (store, writer)
}

fn key(meta: &ObjectMeta) -> (&str, &str) {
    (
        meta.namespace.as_deref().unwrap_or(""),
        meta.name.as_deref().unwrap_or(""),
    )
}

fn place_of<T, G>(object: &T) -> (Place<G>, Vec<u8>)
where
    T: Serialize + k8s_openapi::Metadata<Ty = ObjectMeta>,
    G: Glimpse<T>,
{
    let (namespace, name) = key(object.metadata());
    // Serializing a typed object cannot fail: k8s-openapi maps have string keys.
    let json = serde_json::to_vec(object).unwrap_or_default();
    ((namespace.into(), name.into(), G::of(object)), json)
}

fn put<G>(map: &mut Map<G>, (namespace, name): (Box<str>, Box<str>), slot: Slot<G>) {
    map.entry(namespace).or_default().insert(name, slot);
}

fn place<G>(map: &mut Map<G>, (namespace, name, glimpse): Place<G>, json: Box<[u8]>) {
    put(map, (namespace, name), Slot { glimpse, json });
}

impl<T, G> Apply<T> for PackedWriter<T, G>
where
    T: Route + Serialize,
    G: Glimpse<T>,
{
    fn apply(&mut self, kind: Kind, event: &watcher::Event<Entry<T>>) -> Option<Touch> {
        match event {
            watcher::Event::Init => {
                self.relist = Some((Gather::default(), Map::new()));
                None
            }
            watcher::Event::InitApply(o) => {
                let (gather, map) = self
                    .relist
                    .get_or_insert_with(|| (Gather::default(), Map::new()));
                let (p, json) = place_of(&o.0);
                gather.push(p, json, &mut |p, j| place(map, p, j));
                None
            }
            watcher::Event::InitDone => {
                let (gather, mut map) = self
                    .relist
                    .take()
                    .unwrap_or_else(|| (Gather::default(), Map::new()));
                self.packer = gather.finish(&mut |p, j| place(&mut map, p, j));
                let codec = self.packer.codec().clone();
                if let Ok(mut inner) = self.store.inner.write() {
                    *inner = Inner { codec, map };
                }
                Some(Touch::everywhere(kind))
            }
            watcher::Event::Apply(o) | watcher::Event::Delete(o) => {
                let meta = o.0.metadata();
                let (namespace, name) = key(meta);
                let new = matches!(event, watcher::Event::Apply(_)).then(|| {
                    let ((namespace, name, glimpse), json) = place_of::<T, G>(&o.0);
                    let json = self.packer.pack(&json);
                    ((namespace, name), Slot { glimpse, json })
                });
                let mut capacity = false;
                if let Ok(mut inner) = self.store.inner.write() {
                    let now = new.as_ref().map(|(_, s)| &s.glimpse);
                    let before = inner.map.get(namespace).and_then(|m| m.get(name));
                    capacity = G::capacity_changed(before.map(|s| &s.glimpse), now);
                    match new {
                        Some((at, slot)) => put(&mut inner.map, at, slot),
                        None => {
                            inner.map.get_mut(namespace).and_then(|m| m.remove(name));
                        }
                    }
                }
                Some(Touch::of(kind, meta, o.0.involved(), capacity))
            }
        }
    }
}

impl<T: Edge, G> Packed<T, G> {
    /// Calls `f` with every object: its namespace, name and glimpse, and a way to unpack
    /// it.
    pub fn each_glimpse(&self, mut f: impl FnMut(&str, &str, &G, &mut dyn FnMut() -> Option<T>)) {
        let Ok(inner) = self.inner.read() else { return };
        let mut unpacker = inner.codec.unpacker();
        for (namespace, objects) in &inner.map {
            for (name, slot) in objects {
                f(namespace, name, &slot.glimpse, &mut || {
                    unpack(&mut unpacker, &slot.json)
                });
            }
        }
    }

    /// What is kept beside one object.
    pub fn glimpse(&self, namespace: &str, name: &str) -> Option<G>
    where
        G: Clone,
    {
        let inner = self.inner.read().ok()?;
        Some(inner.map.get(namespace)?.get(name)?.glimpse.clone())
    }

    /// How many objects are held.
    pub fn len(&self) -> usize {
        self.inner
            .read()
            .map(|s| s.map.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Objects come back through the model's edge, as they went in.
fn unpack<T: Edge>(unpacker: &mut Unpacker, json: &[u8]) -> Option<T> {
    unpacker.object::<Entry<T>>(json).map(|e| e.0)
}

/// What [`Held::each`] calls with an object's namespace and name: the last argument gets
/// the object (unpacked, or cloned out of a reflector store).
pub type Visit<'a, T> = dyn FnMut(&str, &str, &mut dyn FnMut() -> Option<T>) + 'a;

/// A store of one kind as readers read it: packed, or a reflector store.
pub trait Held<T> {
    /// Calls `f` with every object's namespace and name, and a way to get it.
    fn each(&self, f: &mut Visit<'_, T>);

    /// One object.
    fn get(&self, namespace: &str, name: &str) -> Option<T>;

    /// The objects of the namespaces `keep` accepts.
    fn all(&self, keep: &dyn Fn(&str) -> bool) -> Vec<T> {
        let mut out = Vec::new();
        self.each(&mut |namespace, _, get| {
            if keep(namespace)
                && let Some(o) = get()
            {
                out.push(o);
            }
        });
        out
    }

    /// The namespaces objects live in (for Namespaces: their names).
    fn namespaces(&self, kind: Kind, out: &mut BTreeSet<String>) {
        self.each(&mut |namespace, name, _| {
            let ns = if kind == Kind::Namespace {
                name
            } else {
                namespace
            };
            if !ns.is_empty() && !out.contains(ns) {
                out.insert(ns.to_string());
            }
        });
    }
}

impl<T: Edge, G> Held<T> for Packed<T, G> {
    fn each(&self, f: &mut Visit<'_, T>) {
        self.each_glimpse(|namespace, name, _, get| f(namespace, name, get));
    }

    fn get(&self, namespace: &str, name: &str) -> Option<T> {
        let inner = self.inner.read().ok()?;
        let slot = inner.map.get(namespace)?.get(name)?;
        unpack(&mut inner.codec.unpacker(), &slot.json)
    }
}

impl<T> Held<T> for Store<Entry<T>>
where
    T: k8s_openapi::Metadata<Ty = ObjectMeta> + Clone,
    Entry<T>: kube::Resource<DynamicType = ()> + Clone,
{
    fn each(&self, f: &mut Visit<'_, T>) {
        for o in self.state() {
            let (namespace, name) = key(o.0.metadata());
            f(namespace, name, &mut || Some(o.0.clone()));
        }
    }

    fn get(&self, namespace: &str, name: &str) -> Option<T> {
        let at = reflector::ObjectRef::new(name);
        let at = match namespace {
            "" => at,
            ns => at.within(ns),
        };
        Store::get(self, &at).map(|o| o.0.clone())
    }
}
