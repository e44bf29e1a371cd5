//! `thanrak agencies list | set`: the default catalogue on a new database, an agency added and
//! changed, a wrong field refused with exit code 2 and nothing written.

mod common;

use common::run;

fn text(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn agencies_are_listed_added_and_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let list = run(&db, &["agencies", "list"], "");
    assert!(list.status.success(), "{list:?}");
    let out = text(&list);
    assert_eq!(
        out.lines().count(),
        11,
        "a header and the ten default agencies:\n{out}"
    );
    assert!(out.contains("codi\tสถาบันพัฒนาองค์กรชุมชน (พอช.)"), "{out}");
    let set = |needs: &str, areas: &str| {
        run(
            &db,
            &[
                "agencies",
                "set",
                "rubber",
                "--name-th",
                "การยางแห่งประเทศไทย",
                "--name-en",
                "Rubber Authority of Thailand",
                "--needs",
                needs,
                "--areas",
                areas,
            ],
            "",
        )
    };
    let added = set("occupation", "52,5001");
    assert!(added.status.success(), "{added:?}");
    assert!(text(&added).starts_with("added agency rubber"));
    let changed = set("occupation,job", "52");
    assert!(text(&changed).starts_with("replaced agency rubber"));
    let refused = set("flying", "52");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is not a need"));
    let out = text(&run(&db, &["agencies", "list"], ""));
    assert!(
        out.contains(
            "rubber\tการยางแห่งประเทศไทย\tRubber Authority of Thailand\toccupation,job\t52"
        ),
        "{out}"
    );
}
