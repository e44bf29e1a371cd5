//! Tidy: the invariants of ARCHITECTURE.md that a compiler does not check, checked on the
//! sources (as rust-analyzer's `tidy.rs` does). Each failure says what to do instead.
//!
//! - a role is matched only in `thanrak_app::policy` (and defined in `thanrak_core::identity`);
//! - the web application and the CLI depend on `thanrak-app`, never on `thanrak-store`;
//! - `thanrak-app` writes no file format itself (CSV and XLSX are `thanrak-io`'s);
//! - the layers point one way (core depends on no database, HTTP, async or random crate; io and
//!   the demo generator on core only; the store on neither io nor app);
//! - the store's methods live on the handles of its aggregates (`impl Store` is written only in
//!   its `lib.rs`), and no aggregate's module reaches into another's;
//! - a migration that has shipped is never edited (`migrations/shipped.txt` holds a hash of
//!   each; a new migration is added to it).

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, recursively, by path relative to the workspace root.
fn rust_files(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let rel = p
                    .strip_prefix(root())
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, fs::read_to_string(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn crates() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(root().join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").exists())
        .collect();
    v.sort();
    v
}

/// The dependency names of a manifest's `[dependencies]`, `[dev-dependencies]` and
/// `[build-dependencies]` tables.
fn dependencies(manifest: &Path) -> Vec<String> {
    let text = fs::read_to_string(manifest).unwrap();
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = matches!(
                line,
                "[dependencies]" | "[dev-dependencies]" | "[build-dependencies]"
            );
            continue;
        }
        if inside {
            if let Some((name, _)) = line.split_once(['=', '.']) {
                let name = name.trim();
                if !name.is_empty() && !name.starts_with('#') {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}

#[test]
fn roles_are_matched_only_in_the_policy() {
    const ALLOWED: [&str; 2] = [
        "crates/thanrak-core/src/identity.rs",
        "crates/thanrak-app/src/policy.rs",
    ];
    const VARIANTS: [&str; 5] = [
        "Role::Admin",
        "Role::Analyst",
        "Role::AreaManager",
        "Role::Surveyor",
        "Role::AgencyOfficer",
    ];
    let mut found = Vec::new();
    for c in crates() {
        for (path, text) in rust_files(&c.join("src")) {
            if ALLOWED.contains(&path.as_str()) {
                continue;
            }
            // Unit tests may name roles to build users.
            let code_part = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in code_part.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                let compares = [".role ==", ".role !=", "match user.role", "match role"]
                    .iter()
                    .any(|p| code.contains(p));
                if compares || VARIANTS.iter().any(|v| code.contains(v)) {
                    found.push(format!("{path}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "a role is decided outside thanrak_app::policy; ask the policy a question instead \
         (add one there if none fits):\n{}",
        found.join("\n")
    );
}

#[test]
fn web_and_cli_go_through_the_app() {
    let mut found = Vec::new();
    for name in ["thanrak-web", "thanrak"] {
        let dir = root().join("crates").join(name);
        if dependencies(&dir.join("Cargo.toml")).contains(&"thanrak-store".to_string()) {
            found.push(format!("crates/{name}/Cargo.toml depends on thanrak-store"));
        }
        for sub in ["src", "tests", "benches"] {
            for (path, text) in rust_files(&dir.join(sub)) {
                if text.contains("thanrak_store") && !path.ends_with("tests/tidy.rs") {
                    found.push(format!("{path} names thanrak_store"));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the web and the CLI reach the database through thanrak-app (thanrak_app::db for the \
         handle and records, use cases for the rest):\n{}",
        found.join("\n")
    );
}

#[test]
fn the_app_writes_no_file_format() {
    const FORMATS: [&str; 3] = ["csv", "rust_xlsxwriter", "calamine"];
    let dir = root().join("crates/thanrak-app");
    let mut found: Vec<String> = dependencies(&dir.join("Cargo.toml"))
        .into_iter()
        .filter(|d| FORMATS.contains(&d.as_str()))
        .map(|d| format!("crates/thanrak-app/Cargo.toml depends on {d}"))
        .collect();
    for (path, text) in rust_files(&dir.join("src")) {
        for f in FORMATS {
            if text.contains(&format!("{f}::")) {
                found.push(format!("{path} uses {f}"));
            }
        }
    }
    assert!(
        found.is_empty(),
        "file formats are thanrak-io's: write the table there and call it:\n{}",
        found.join("\n")
    );
}

#[test]
fn layers_point_one_way() {
    let forbidden: [(&str, &[&str]); 4] = [
        (
            "thanrak-core",
            &[
                "sqlx",
                "tokio",
                "serde_json",
                "axum",
                "thanrak-store",
                "thanrak-io",
                "thanrak-app",
                "rand",
                "rand_chacha",
            ],
        ),
        (
            "thanrak-demo",
            &[
                "sqlx",
                "tokio",
                "axum",
                "thanrak-store",
                "thanrak-io",
                "thanrak-app",
            ],
        ),
        (
            "thanrak-io",
            &["sqlx", "tokio", "axum", "thanrak-store", "thanrak-app"],
        ),
        ("thanrak-store", &["axum", "thanrak-io", "thanrak-app"]),
    ];
    let mut found = Vec::new();
    for (krate, bad) in forbidden {
        let deps = dependencies(&root().join("crates").join(krate).join("Cargo.toml"));
        for d in deps.iter().filter(|d| bad.contains(&d.as_str())) {
            found.push(format!("{krate} depends on {d}"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_store_is_split_by_aggregate() {
    const AGGREGATES: [&str; 6] = [
        "registry",
        "accounts",
        "audit",
        "scores",
        "boundaries",
        "jobs",
    ];
    let src = root().join("crates/thanrak-store/src");
    let mut found = Vec::new();
    for (path, text) in rust_files(&src) {
        let rel = path.trim_start_matches("crates/thanrak-store/src/");
        let own = rel.split(['/', '.']).next().unwrap_or("");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("").trim_start();
            if rel != "lib.rs"
                && (code.starts_with("impl Store ") || code.starts_with("impl Store{"))
            {
                found.push(format!(
                    "{path}:{}: `impl Store` outside lib.rs: put the method on its aggregate's handle",
                    i + 1
                ));
            }
            if AGGREGATES.contains(&own) {
                for other in AGGREGATES.iter().filter(|a| **a != own) {
                    if code.contains(&format!("crate::{other}::")) {
                        found.push(format!(
                            "{path}:{}: the {own} aggregate reaches into {other}: move what both \
                             need to the crate's root",
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

/// FNV-1a (64 bits) of a file's bytes, line endings as LF.
fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes.iter().filter(|&&b| b != b'\r') {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[test]
fn shipped_migrations_are_never_edited() {
    let dir = root().join("crates/thanrak-store/migrations");
    let manifest = fs::read_to_string(dir.join("shipped.txt")).unwrap();
    let shipped: Vec<(&str, &str)> = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_once(' ').expect("`path hash` per line"))
        .collect();
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for backend in ["sqlite", "postgres"] {
        let mut names: Vec<String> = fs::read_dir(dir.join(backend))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        names.sort();
        for n in names {
            let rel = format!("{backend}/{n}");
            let hash = fnv1a(&fs::read(dir.join(&rel)).unwrap());
            match shipped.iter().find(|(p, _)| *p == rel) {
                Some((_, h)) if *h == hash => {}
                Some(_) => problems.push(format!(
                    "{rel} has shipped and was edited: restore it and add a new migration"
                )),
                None => problems.push(format!(
                    "{rel} is new: add `{rel} {hash}` to migrations/shipped.txt"
                )),
            }
            files.push(rel);
        }
    }
    for (p, _) in &shipped {
        if !files.iter().any(|f| f == p) {
            problems.push(format!("{p} has shipped and was removed"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
