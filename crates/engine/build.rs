//! The share viewer page (`ui/dist/share/index.html`, made by `npm --prefix ui run build`) goes
//! into the binary; a build made without the UI gets an empty page and `share create` says how
//! to get one.
fn main() {
    let page =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist/share/index.html");
    println!("cargo:rerun-if-changed={}", page.display());
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR"));
    let body = std::fs::read_to_string(&page).unwrap_or_default();
    std::fs::write(out.join("share-viewer.html"), body).expect("write OUT_DIR");
}
