//! The Python runtime vendored into every graft as `<package>/_runtime/`:
//! the real `.py` files of `python/graft_runtime/`, embedded at build time.

/// `(file name, source)` of each runtime module, sorted by name.
pub const FILES: &[(&str, &str)] = &[
    (
        "__init__.py",
        include_str!("../../../python/graft_runtime/__init__.py"),
    ),
    (
        "balancer.py",
        include_str!("../../../python/graft_runtime/balancer.py"),
    ),
    (
        "broker.py",
        include_str!("../../../python/graft_runtime/broker.py"),
    ),
    (
        "checks.py",
        include_str!("../../../python/graft_runtime/checks.py"),
    ),
    (
        "classes.py",
        include_str!("../../../python/graft_runtime/classes.py"),
    ),
    (
        "client.py",
        include_str!("../../../python/graft_runtime/client.py"),
    ),
    (
        "client_frames.py",
        include_str!("../../../python/graft_runtime/client_frames.py"),
    ),
    (
        "coerce.py",
        include_str!("../../../python/graft_runtime/coerce.py"),
    ),
    (
        "config.py",
        include_str!("../../../python/graft_runtime/config.py"),
    ),
    (
        "context.py",
        include_str!("../../../python/graft_runtime/context.py"),
    ),
    (
        "convert.py",
        include_str!("../../../python/graft_runtime/convert.py"),
    ),
    (
        "decoder.py",
        include_str!("../../../python/graft_runtime/decoder.py"),
    ),
    (
        "dispatch.py",
        include_str!("../../../python/graft_runtime/dispatch.py"),
    ),
    (
        "encoder.py",
        include_str!("../../../python/graft_runtime/encoder.py"),
    ),
    (
        "errors.py",
        include_str!("../../../python/graft_runtime/errors.py"),
    ),
    (
        "fastdecoder.py",
        include_str!("../../../python/graft_runtime/fastdecoder.py"),
    ),
    (
        "frame_types.py",
        include_str!("../../../python/graft_runtime/frame_types.py"),
    ),
    (
        "headers.py",
        include_str!("../../../python/graft_runtime/headers.py"),
    ),
    (
        "identity.py",
        include_str!("../../../python/graft_runtime/identity.py"),
    ),
    (
        "literals.py",
        include_str!("../../../python/graft_runtime/literals.py"),
    ),
    (
        "local.py",
        include_str!("../../../python/graft_runtime/local.py"),
    ),
    (
        "local_values.py",
        include_str!("../../../python/graft_runtime/local_values.py"),
    ),
    (
        "names.py",
        include_str!("../../../python/graft_runtime/names.py"),
    ),
    (
        "object_streams.py",
        include_str!("../../../python/graft_runtime/object_streams.py"),
    ),
    (
        "objects.py",
        include_str!("../../../python/graft_runtime/objects.py"),
    ),
    (
        "plans.py",
        include_str!("../../../python/graft_runtime/plans.py"),
    ),
    (
        "producer.py",
        include_str!("../../../python/graft_runtime/producer.py"),
    ),
    (
        "reader.py",
        include_str!("../../../python/graft_runtime/reader.py"),
    ),
    (
        "remote.py",
        include_str!("../../../python/graft_runtime/remote.py"),
    ),
    (
        "replicas.py",
        include_str!("../../../python/graft_runtime/replicas.py"),
    ),
    (
        "resp.py",
        include_str!("../../../python/graft_runtime/resp.py"),
    ),
    (
        "returns.py",
        include_str!("../../../python/graft_runtime/returns.py"),
    ),
    (
        "scalars.py",
        include_str!("../../../python/graft_runtime/scalars.py"),
    ),
    (
        "sender.py",
        include_str!("../../../python/graft_runtime/sender.py"),
    ),
    (
        "settings.py",
        include_str!("../../../python/graft_runtime/settings.py"),
    ),
    (
        "sources.py",
        include_str!("../../../python/graft_runtime/sources.py"),
    ),
    (
        "streams.py",
        include_str!("../../../python/graft_runtime/streams.py"),
    ),
    (
        "table_columns.py",
        include_str!("../../../python/graft_runtime/table_columns.py"),
    ),
    (
        "tables.py",
        include_str!("../../../python/graft_runtime/tables.py"),
    ),
    (
        "tls.py",
        include_str!("../../../python/graft_runtime/tls.py"),
    ),
    (
        "transport.py",
        include_str!("../../../python/graft_runtime/transport.py"),
    ),
    (
        "typed.py",
        include_str!("../../../python/graft_runtime/typed.py"),
    ),
    (
        "typed_records.py",
        include_str!("../../../python/graft_runtime/typed_records.py"),
    ),
    (
        "values.py",
        include_str!("../../../python/graft_runtime/values.py"),
    ),
    (
        "window.py",
        include_str!("../../../python/graft_runtime/window.py"),
    ),
    (
        "wire.py",
        include_str!("../../../python/graft_runtime/wire.py"),
    ),
    (
        "wire_stream.py",
        include_str!("../../../python/graft_runtime/wire_stream.py"),
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_runtime_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../python/graft_runtime");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".py"))
            .collect();
        on_disk.sort();
        let embedded: Vec<&str> = super::FILES.iter().map(|(n, _)| *n).collect();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn files_are_sorted_and_use_relative_imports_only() {
        let names: Vec<&str> = super::FILES.iter().map(|(n, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for (name, source) in super::FILES {
            assert!(
                !source.contains("import graft_runtime"),
                "{name} imports graft_runtime absolutely"
            );
            assert!(
                !source.contains("from graft_runtime"),
                "{name} imports graft_runtime absolutely"
            );
        }
    }
}
