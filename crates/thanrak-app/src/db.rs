//! The database as the web application and the command line see it: the handle they open and
//! pass back to the use cases, and the records the use cases return. The web and the CLI depend
//! on `thanrak-app` only (a tidy test checks their manifests); the rest of the store stays
//! behind the use cases.

pub use thanrak_store::testing;
pub use thanrak_store::{
    unit_str, ActivityRecord, ApiTokenInfo, AuditEntry, Case, CaseEvent, EnterpriseFilter,
    HelpRecord, HelpTotals, ImportConflict, ItemEvent, ItemRecord, Job, JobState, MeetingRecord,
    ModelAreaRecord, PairRecord, PairState, RoundSummary, RunKey, Session, Store, StoreError,
    StoredScore, TokenUser, DEFAULT_DATABASE_URL, INTERRUPTED,
};
