# Sourced by scripts/build and scripts/yew-floor: the standard library rebuilt for the wasm
# with panics compiled to a bare trap, without panic-location strings and with its smaller
# algorithms (-Zbuild-std, -Cpanic=immediate-abort, -Zlocation-detail=none, std's
# optimize_for_size feature): 9.0 KiB brotli less than the prebuilt std (README "Size").
# Those are unstable flags, enabled on the stable toolchain by RUSTC_BOOTSTRAP=1, the
# way Firefox and the Linux kernel build; the toolchain is the machine's Rust 1.95.
# A panic already ended in a trap (`panic = "abort"`, no panic hook), so nothing a
# visitor or a brand sees changes. RU_PLAIN_BUILD=1 builds with the prebuilt std instead.
if [ "${RU_PLAIN_BUILD:-0}" != 1 ]; then
  export RUSTC_BOOTSTRAP=1
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
  export CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
  export RUSTFLAGS="${RUSTFLAGS:-} -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
fi
