//! Property tests: the reader returns an error, never a panic, for arbitrary input.

mod bundle_support;

use std::sync::OnceLock;

use bundle_support::*;
use proptest::prelude::*;
use wegent_analyzer::bundle::redact_seam::NoRedaction;
use wegent_analyzer::bundle::{BundleError, open};

fn valid_zip_bytes() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = temp_dir();
        let out = dir.path().join("bundle.zip");
        sample_writer().finish(&mut NoRedaction, &out).unwrap();
        std::fs::read(out).unwrap()
    })
}

fn open_bytes(bytes: &[u8]) -> Result<(), BundleError> {
    let dir = temp_dir();
    let path = dir.path().join("input.zip");
    std::fs::write(&path, bytes).unwrap();
    open(&path).map(|_| ())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = open_bytes(&bytes);
    }

    #[test]
    fn random_bytes_with_zip_end_record_never_panic(
        prefix in proptest::collection::vec(any::<u8>(), 0..2048),
        record in proptest::collection::vec(any::<u8>(), 18),
    ) {
        let mut bytes = prefix;
        bytes.extend_from_slice(&[0x50, 0x4b, 0x05, 0x06]);
        bytes.extend_from_slice(&record[..16]);
        bytes.extend_from_slice(&[0, 0]);
        let _ = open_bytes(&bytes);
    }

    #[test]
    fn mutated_zip_never_panics(
        mutations in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = valid_zip_bytes().to_vec();
        for (index, value) in mutations {
            let at = index.index(bytes.len());
            bytes[at] = value;
        }
        let _ = open_bytes(&bytes);
    }

    #[test]
    fn mutated_directory_never_panics(
        mutations in proptest::collection::vec((0usize..600, any::<u8>()), 1..6),
    ) {
        // Aim at the central directory and end record, where offsets and sizes live.
        let mut bytes = valid_zip_bytes().to_vec();
        let len = bytes.len();
        for (from_end, value) in mutations {
            let at = len - 1 - from_end.min(len - 1);
            bytes[at] = value;
        }
        let _ = open_bytes(&bytes);
    }

    #[test]
    fn truncated_zip_never_panics(keep in 0usize..4096) {
        let bytes = valid_zip_bytes();
        let _ = open_bytes(&bytes[..keep.min(bytes.len())]);
    }
}
