//! A variant's source code: from the random tail of the test's id, one per variant, a valid
//! campaign code; an id without twelve hex digits gives none.

use kuvert_store::portal::network::Variant;

use super::variant_code;

#[test]
fn variant_codes_come_from_the_ids_random_tail() {
    let id = "019af3c2-7d10-7c4e-9a21-3f5e8b0c1d2e";
    let a = variant_code(id, Variant::A).unwrap();
    let b = variant_code(id, Variant::B).unwrap();
    assert_eq!(a.as_str(), "AB-3F5E8B0C1D2E-A");
    assert_eq!(b.as_str(), "AB-3F5E8B0C1D2E-B");
    assert!(variant_code("abc", Variant::A).is_none());
}
