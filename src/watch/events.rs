//! The Events store. A cluster holds many more Events than objects of any other kind
//! (100,000 for 10,000 pods is common, more in a storm), and a k8s-openapi `Event` takes
//! about a kilobyte before its strings, most of its fields empty. So events are kept
//! packed (`watch::pack`), with what routing reads beside them (the object they are
//! about, when last seen), indexed by the partition they are read with; they are unpacked
//! only when a partition or a view needs them. Fed by the same `kube::runtime` watcher
//! events as the reflector stores, with the same relist: a new list is gathered aside and
//! swapped in whole, with the dictionary trained on it, when it is complete.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use k8s_openapi::api::core::v1::Event;
use kube::runtime::watcher;

use super::objects::{Apply, Entry, Route, Touch};
use super::pack::{Codec, Gather, Packer, Unpacker};
use crate::model::{Kind, ObjectRef, event_last_seen};

/// Where an event is read: with the objects of one namespace, or with the cluster-scoped
/// objects every partition holds (events about Nodes, PersistentVolumes …).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Home {
    Cluster,
    Namespace(Box<str>),
}

impl Home {
    fn of(event: &Event) -> Home {
        let about = &event.involved_object;
        let cluster_scoped = about
            .kind
            .as_deref()
            .and_then(Kind::from_kind_field)
            .is_some_and(|k| !k.info().namespaced);
        if cluster_scoped {
            return Home::Cluster;
        }
        let ns = about
            .namespace
            .as_deref()
            .or(event.metadata.namespace.as_deref())
            .unwrap_or("");
        Home::Namespace(ns.into())
    }

    pub fn namespace(&self) -> Option<&str> {
        match self {
            Home::Cluster => None,
            Home::Namespace(ns) => Some(ns),
        }
    }
}

/// One event, packed. Its namespace and name are the key it is stored under; the kind
/// and name of the object it is about are kept out of the JSON, beside it.
#[derive(Debug, Clone)]
pub struct Packed {
    kind: Option<Cow<'static, str>>,
    name: Option<Box<str>>,
    pub last_seen: Option<jiff::Timestamp>,
    json: Box<[u8]>,
}

impl Packed {
    /// What is kept beside the event's packed JSON, and the JSON to pack.
    fn split(event: &Event) -> (Packed, Vec<u8>) {
        let about = &event.involved_object;
        let kind =
            about
                .kind
                .as_deref()
                .map(|k| match Kind::from_kind_field(k).map(|k| k.info().name) {
                    Some(known) if known == k => Cow::Borrowed(known),
                    _ => Cow::Owned(k.to_string()),
                });
        let mut rest = event.clone();
        rest.metadata.name = None;
        rest.metadata.namespace = None;
        rest.involved_object.kind = None;
        rest.involved_object.name = None;
        let packed = Packed {
            kind,
            name: about.name.as_deref().map(Box::from),
            last_seen: event_last_seen(event),
            json: Box::default(),
        };
        // Serializing a typed Event cannot fail: it holds no maps with non-string keys.
        (packed, serde_json::to_vec(&rest).unwrap_or_default())
    }

    /// The kind of object the event is about.
    pub fn about_kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }

    /// The name of the object the event is about.
    pub fn about_name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }

    fn unpack(&self, key: &str, unpacker: &mut Unpacker) -> Option<Event> {
        let mut event: Event = unpacker.object(&self.json)?;
        let (ns, name) = split(key);
        event.metadata.namespace = (!ns.is_empty()).then(|| ns.to_string());
        event.metadata.name = Some(name.to_string());
        event.involved_object.kind = self.kind.as_deref().map(str::to_string);
        event.involved_object.name = self.name.as_deref().map(str::to_string);
        Some(event)
    }
}

/// `namespace/name`, the key of an event.
fn key_of(event: &Event) -> Box<str> {
    let meta = &event.metadata;
    format!(
        "{}/{}",
        meta.namespace.as_deref().unwrap_or(""),
        meta.name.as_deref().unwrap_or("")
    )
    .into()
}

fn split(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

type Homes = HashMap<Home, HashMap<Box<str>, Packed>>;

/// Where an event goes: its home, its key, and what is kept beside its packed JSON.
type Place = (Home, Box<str>, Packed);

fn place_of(event: &Event) -> (Place, Vec<u8>) {
    let (packed, json) = Packed::split(event);
    ((Home::of(event), key_of(event), packed), json)
}

fn put(homes: &mut Homes, (home, key, mut packed): Place, json: Box<[u8]>) {
    packed.json = json;
    homes.entry(home).or_default().insert(key, packed);
}

/// The events, and the codec they are packed with.
#[derive(Default)]
struct Store {
    codec: Arc<Codec>,
    homes: Homes,
}

/// The events, for reading; cheap to clone.
#[derive(Clone, Default)]
pub struct Events(Arc<RwLock<Store>>);

/// Feeds [`Events`] from watcher events; moved to the task that watches Events.
pub struct EventsWriter {
    events: Events,
    packer: Packer,
    /// A relist being gathered.
    relist: Option<(Gather<Place>, Homes)>,
}

/// A fresh, empty events store.
pub fn store() -> (Events, EventsWriter) {
    let events = Events::default();
    let writer = EventsWriter {
        events: events.clone(),
        packer: Arc::new(Codec::default()).packer(),
        relist: None,
    };
    (events, writer)
}

impl Apply<Event> for EventsWriter {
    fn apply(&mut self, kind: Kind, event: &watcher::Event<Entry<Event>>) -> Option<Touch> {
        match event {
            watcher::Event::Init => {
                self.relist = Some(Default::default());
                None
            }
            watcher::Event::InitApply(o) => {
                let (gather, homes) = self.relist.get_or_insert_default();
                let (place, json) = place_of(&o.0);
                gather.push(place, json, &mut |p, j| put(homes, p, j));
                None
            }
            watcher::Event::InitDone => {
                let (gather, mut homes) = self.relist.take().unwrap_or_default();
                self.packer = gather.finish(&mut |p, j| put(&mut homes, p, j));
                let codec = self.packer.codec().clone();
                if let Ok(mut store) = self.events.0.write() {
                    *store = Store { codec, homes };
                }
                Some(Touch::everywhere(kind))
            }
            watcher::Event::Apply(o) | watcher::Event::Delete(o) => {
                let packed = matches!(event, watcher::Event::Apply(_)).then(|| {
                    let (place, json) = place_of(&o.0);
                    (place, self.packer.pack(&json))
                });
                if let Ok(mut store) = self.events.0.write() {
                    match packed {
                        Some((place, json)) => put(&mut store.homes, place, json),
                        None => {
                            if let Some(home) = store.homes.get_mut(&Home::of(&o.0)) {
                                home.remove(&key_of(&o.0));
                            }
                        }
                    }
                }
                let meta = &o.0.metadata;
                Some(Touch {
                    kind,
                    namespace: meta.namespace.clone().filter(|n| !n.is_empty()),
                    name: meta.name.clone(),
                    about: o.0.involved(),
                    capacity: false,
                })
            }
        }
    }
}

impl Events {
    /// Calls `f` with every event of the homes `wanted` accepts, unpacked on demand: `f`
    /// gets the home, the packed event, and a way to unpack it.
    pub fn each(
        &self,
        wanted: impl Fn(&Home) -> bool,
        mut f: impl FnMut(&Home, &Packed, &mut dyn FnMut() -> Option<Event>),
    ) {
        let Ok(store) = self.0.read() else { return };
        let mut unpacker = store.codec.unpacker();
        for (home, events) in store.homes.iter().filter(|(h, _)| wanted(h)) {
            for (key, packed) in events {
                f(home, packed, &mut || packed.unpack(key, &mut unpacker));
            }
        }
    }

    /// How many events are held.
    pub fn len(&self) -> usize {
        self.0
            .read()
            .map(|s| s.homes.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The namespaces events live in.
    pub fn namespaces(&self, out: &mut BTreeSet<String>) {
        let Ok(store) = self.0.read() else { return };
        for events in store.homes.values() {
            for key in events.keys() {
                let (ns, _) = split(key);
                if !ns.is_empty() && !out.contains(ns) {
                    out.insert(ns.to_string());
                }
            }
        }
    }

    /// One event, by its namespace and name.
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Event> {
        let key = format!("{}/{name}", namespace.unwrap_or(""));
        let store = self.0.read().ok()?;
        store
            .homes
            .values()
            .find_map(|events| events.get(key.as_str()))
            .and_then(|p| p.unpack(&key, &mut store.codec.unpacker()))
    }

    /// The events about one object.
    pub fn about(&self, o: &ObjectRef) -> Vec<Event> {
        let home = match o.known_kind() {
            Some(k) if !k.info().namespaced => Home::Cluster,
            _ => Home::Namespace(o.namespace.as_deref().unwrap_or("").into()),
        };
        let mut out = Vec::new();
        self.each(
            |h| *h == home,
            |_, packed, unpack| {
                if packed.about_kind() == o.kind
                    && packed.about_name() == o.name
                    && let Some(e) = unpack()
                {
                    out.push(e);
                }
            },
        );
        out
    }

    /// The `n` newest events whose own namespace is `namespace` (all when `None`), newest
    /// first; ties by name, so the order is the same every time.
    pub fn newest(&self, namespace: Option<&str>, n: usize) -> Vec<Event> {
        let Ok(store) = self.0.read() else {
            return Vec::new();
        };
        type Candidate<'a> = (Option<jiff::Timestamp>, &'a str, &'a Packed);
        let mut all: Vec<Candidate<'_>> = store
            .homes
            .values()
            .flat_map(|events| events.iter())
            .filter(|(key, _)| namespace.is_none_or(|ns| split(key).0 == ns))
            .map(|(key, p)| (p.last_seen, &**key, p))
            .collect();
        let order = |a: &Candidate<'_>, b: &Candidate<'_>| {
            b.0.cmp(&a.0).then_with(|| split(a.1).1.cmp(split(b.1).1))
        };
        if n > 0 && all.len() > n {
            all.select_nth_unstable_by(n - 1, order);
        }
        all.truncate(n);
        all.sort_by(order);
        let mut unpacker = store.codec.unpacker();
        all.into_iter()
            .filter_map(|(_, key, p)| p.unpack(key, &mut unpacker))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ns: &str, name: &str, kind: &str, about: &str, last: &str) -> Event {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": ns, "uid": format!("u-{name}"),
                "resourceVersion": "17", "creationTimestamp": "2026-11-20T09:00:00Z",
                "labels": {"team": "shop"}},
            "involvedObject": {"kind": kind, "name": about, "namespace": ns, "apiVersion": "v1",
                "uid": "pod-uid", "fieldPath": "spec.containers{web}", "resourceVersion": "9"},
            "reason": "BackOff", "message": "Back-off restarting failed container web",
            "type": "Warning", "count": 27, "source": {"component": "kubelet", "host": "node-a"},
            "firstTimestamp": "2026-11-20T09:00:00Z", "lastTimestamp": last,
            "reportingComponent": "kubelet", "reportingInstance": "node-a",
            "series": {"count": 3, "lastObservedTime": "2026-11-20T09:10:00.000000Z"},
            "related": {"kind": "Node", "name": "node-a"}, "action": "Restarting",
        }))
        .expect("an event")
    }

    fn apply(w: &mut EventsWriter, e: watcher::Event<Entry<Event>>) -> Option<Touch> {
        w.apply(Kind::Event, &e)
    }

    #[test]
    fn an_event_comes_back_unpacked_as_it_went_in() {
        let (events, mut w) = store();
        let e = event("shop", "web-1.17a", "Pod", "web-1", "2026-11-20T09:19:00Z");
        let touch = apply(&mut w, watcher::Event::Apply(Entry(e.clone()))).expect("a touch");
        assert_eq!(
            touch.about,
            Some(ObjectRef::new("Pod", Some("shop"), "web-1"))
        );
        assert_eq!(events.get(Some("shop"), "web-1.17a"), Some(e.clone()));
        assert_eq!(
            events.about(&ObjectRef::new("Pod", Some("shop"), "web-1")),
            vec![e]
        );
    }

    #[test]
    fn a_long_list_is_packed_and_every_event_comes_back_as_it_went_in() {
        let (events, mut w) = store();
        let all: Vec<Event> = (0..2500)
            .map(|i| {
                let pod = format!("web-7d9f8-{:05}", i / 10);
                let at = format!("2026-11-20T09:{:02}:{:02}Z", i / 60 % 60, i % 60);
                event("shop", &format!("{pod}.{i:x}"), "Pod", &pod, &at)
            })
            .collect();
        apply(&mut w, watcher::Event::Init);
        for e in &all {
            apply(&mut w, watcher::Event::InitApply(Entry(e.clone())));
        }
        apply(&mut w, watcher::Event::InitDone);
        assert_eq!(events.len(), all.len());
        for e in all.iter().step_by(97) {
            let name = e.metadata.name.as_deref().expect("named");
            assert_eq!(events.get(Some("shop"), name).as_ref(), Some(e));
        }
        let later = event("shop", "web-1.zz", "Pod", "web-1", "2026-11-20T10:00:00Z");
        apply(&mut w, watcher::Event::Apply(Entry(later.clone())));
        assert_eq!(
            events.about(&ObjectRef::new("Pod", Some("shop"), "web-1")),
            vec![later]
        );
    }

    #[test]
    fn events_about_cluster_scoped_objects_are_read_with_the_cluster() {
        let (events, mut w) = store();
        let e = event(
            "default",
            "node-a.17b",
            "Node",
            "node-a",
            "2026-11-20T09:19:00Z",
        );
        apply(&mut w, watcher::Event::Apply(Entry(e)));
        let mut homes = Vec::new();
        events.each(|_| true, |home, _, _| homes.push(home.clone()));
        assert_eq!(homes, vec![Home::Cluster]);
        assert_eq!(
            events.about(&ObjectRef::new("Node", None, "node-a")).len(),
            1
        );
    }

    #[test]
    fn a_relist_replaces_everything_when_it_is_complete_and_deletes_remove() {
        let (events, mut w) = store();
        let old = event("shop", "old.1", "Pod", "web-1", "2026-11-20T09:00:00Z");
        let kept = event("shop", "kept.1", "Pod", "web-1", "2026-11-20T09:05:00Z");
        apply(&mut w, watcher::Event::Apply(Entry(old)));
        apply(&mut w, watcher::Event::Init);
        apply(&mut w, watcher::Event::InitApply(Entry(kept.clone())));
        assert_eq!(
            events.len(),
            1,
            "the old list stays until the new one is complete"
        );
        assert!(events.get(Some("shop"), "old.1").is_some());
        let done = apply(&mut w, watcher::Event::InitDone).expect("a touch");
        assert_eq!(done.namespace, None, "a relist concerns every partition");
        assert!(events.get(Some("shop"), "old.1").is_none());
        apply(&mut w, watcher::Event::Delete(Entry(kept)));
        assert!(events.is_empty());
    }

    #[test]
    fn newest_first_within_a_namespace_ties_by_name() {
        let (events, mut w) = store();
        for (ns, name, last) in [
            ("shop", "b", "2026-11-20T09:10:00Z"),
            ("shop", "a", "2026-11-20T09:10:00Z"),
            ("shop", "c", "2026-11-20T09:20:00Z"),
            ("shop", "d", "2026-11-20T09:00:00Z"),
            ("billing", "e", "2026-11-20T09:30:00Z"),
        ] {
            let mut e = event(ns, name, "Pod", "p", last);
            // A series' last observation would count as when it was last seen.
            e.series = None;
            apply(&mut w, watcher::Event::Apply(Entry(e)));
        }
        let names = |v: Vec<Event>| -> Vec<String> {
            v.into_iter().filter_map(|e| e.metadata.name).collect()
        };
        assert_eq!(names(events.newest(Some("shop"), 3)), ["c", "a", "b"]);
        assert_eq!(names(events.newest(None, 2)), ["e", "c"]);
    }
}
