use super::*;

#[test]
fn only_top_level_collections_of_a_thousand_items_are_bulky() {
    let list = |n: usize| Value::List(vec![Value::Int(1); n]);
    assert!(is_bulky(&list(1000)));
    assert!(!is_bulky(&list(999)));
    assert!(is_bulky(&Value::Tuple(vec![Value::None; 5000])));
    assert!(
        !is_bulky(&Value::List(vec![list(5000)])),
        "one item, however big"
    );
    assert!(!is_bulky(&Value::Str("x".repeat(100_000))));
}

#[test]
fn a_backlog_is_freed_where_the_call_ran() {
    Python::initialize();
    let reaper = Reaper::start().unwrap();
    let code = c"
import threading, weakref
class Item: pass
freed = []
def item():
    obj = Item()
    weakref.finalize(obj, lambda: freed.append(threading.get_ident()))
    return obj
";
    let (me, module) = Python::attach(|py| {
        let module = PyModule::from_code(py, code, c"backlog_test.py", c"backlog_test").unwrap();
        let threading = py.import("threading").unwrap();
        let me: u64 = threading
            .call_method0("get_ident")
            .unwrap()
            .extract()
            .unwrap();
        // The reaper needs the GIL this thread holds: what it has not
        // taken off the queue by now stays queued, and past the backlog
        // the rest are freed here, at once.
        for _ in 0..6 {
            let obj = module.getattr("item").unwrap().call0().unwrap();
            let args = BoundArgs {
                positional: vec![Value::List(vec![Value::None; 1000])],
                keyword: vec![],
            };
            reaper.dispose(
                py,
                Leftovers {
                    objects: vec![obj.unbind()],
                    args,
                },
                &Value::None,
            );
        }
        let freed: Vec<u64> = module.getattr("freed").unwrap().extract().unwrap();
        let here = freed.iter().filter(|t| **t == me).count();
        assert!(
            (1..=4).contains(&here),
            "{here} of 6 freed here: the queue holds 2, a batch at most 3"
        );
        (me, module.unbind())
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while Python::attach(|py| module.bind(py).getattr("freed").unwrap().len().unwrap()) < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "the queued ones were never freed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let freed: Vec<u64> =
        Python::attach(|py| module.bind(py).getattr("freed").unwrap().extract().unwrap());
    assert!(
        freed.iter().filter(|t| **t != me).count() >= 2,
        "the queued ones went to the reaper"
    );
}

#[test]
fn handed_over_objects_are_freed_on_the_reaper_thread() {
    Python::initialize();
    let reaper = Reaper::start().unwrap();
    let (freed_on, alive, me) = Python::attach(|py| {
        let code = c"
import threading, weakref
class Item: pass
def watch(obj, where):
    weakref.finalize(obj, lambda: where.append(threading.get_ident()))
def me():
    return threading.get_ident()
";
        let module = PyModule::from_code(py, code, c"reaper_test.py", c"reaper_test").unwrap();
        let where_ = pyo3::types::PyList::empty(py);
        let obj = module.getattr("Item").unwrap().call0().unwrap();
        module
            .getattr("watch")
            .unwrap()
            .call1((&obj, &where_))
            .unwrap();
        let small = module.getattr("Item").unwrap().call0().unwrap();
        let small_where = pyo3::types::PyList::empty(py);
        module
            .getattr("watch")
            .unwrap()
            .call1((&small, &small_where))
            .unwrap();
        let args = |n| BoundArgs {
            positional: vec![Value::List(vec![Value::None; n])],
            keyword: vec![],
        };
        let big = Leftovers {
            objects: vec![obj.unbind()],
            args: args(1000),
        };
        reaper.dispose(py, big, &Value::None);
        let little = Leftovers {
            objects: vec![small.unbind()],
            args: args(3),
        };
        reaper.dispose(py, little, &Value::None);
        assert_eq!(
            small_where.len(),
            1,
            "a small call's objects are freed at once"
        );
        let me: u64 = module
            .getattr("me")
            .unwrap()
            .call0()
            .unwrap()
            .extract()
            .unwrap();
        (where_.unbind(), small_where.unbind(), me)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let threads: Vec<u64> = Python::attach(|py| freed_on.bind(py).extract().unwrap());
        if !threads.is_empty() {
            assert_eq!(threads.len(), 1);
            assert_ne!(
                threads[0], me,
                "a big call's objects are freed on the reaper's thread"
            );
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never freed");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let small: Vec<u64> = Python::attach(|py| alive.bind(py).extract().unwrap());
    assert_eq!(small, [me]);
}
