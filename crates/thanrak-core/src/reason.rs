//! Why a cell, a row or a file of an import is refused: one typed [`Reason`] per kind of problem,
//! with its parameters, and its English and Thai texts here and nowhere else. The checks (core,
//! io, app) build reasons; the CLI and the API print the English ([`fmt::Display`]), the pages
//! print [`Reason::text`] in the reader's language, and an import job keeps them as JSON (the
//! variant's `code` and its parameters), so a report read back later is still typed.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::area::AreaError;
use crate::date::{self, DateError};
use crate::ids::IdError;
use crate::labels::Lang;
use crate::AreaLevel;

/// What is wrong with a cell, a row or a file, and where it helps, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    // ---- One cell ----
    /// A required cell is empty.
    Required,
    /// Text with a control character (other than tab and line breaks).
    ControlCharacter,
    /// A flag that is not 0 or 1.
    NotFlag,
    /// Not a whole number.
    NotWholeNumber,
    /// Not a number.
    NotNumber,
    /// A stored value that is not a date.
    NotDate,
    /// A number outside its range.
    Between {
        /// The smallest value allowed, as written.
        lo: String,
        /// The largest value allowed, as written.
        hi: String,
    },
    /// A code that is not one of the column's codes.
    OneOf {
        /// The codes allowed.
        codes: Vec<String>,
    },
    /// Text longer than its column allows.
    TextTooLong {
        /// The characters found.
        chars: usize,
        /// The most allowed.
        max: usize,
        /// Whether the column holds a name or house number (else other text).
        name: bool,
    },
    /// An identifier that is empty after trimming.
    Empty,
    /// An identifier longer than its limit.
    TooLong {
        /// The most characters allowed.
        max: usize,
    },
    /// An identifier with a character that is not allowed.
    BadChar {
        /// The character.
        ch: char,
    },
    /// A national id that is not 13 digits.
    NationalIdLength,
    /// A national id whose check digit does not match.
    NationalIdCheck {
        /// The check digit the first 12 digits call for.
        expected: u8,
    },
    /// An area code that is not 2, 4, 6 or 8 digits.
    AreaShape,
    /// An area code of the wrong level.
    WrongAreaLevel {
        /// The level asked for.
        level: AreaLevel,
    },
    /// An area code not in the official table.
    AreaUnknown {
        /// The level asked for.
        level: AreaLevel,
    },
    /// Village number 00.
    VillageZero,
    /// Neither `YYYY-MM-DD` nor `D/M/YYYY`.
    DateFormat,
    /// A day that does not exist.
    NoSuchDay,
    /// A year outside 1800–2200 CE.
    ImplausibleYear,
    /// Neither a birth date nor an age.
    BirthDateOrAge,
    /// Only one of lat and lon.
    LatLonTogether,
    /// A skill that is not one of the codes.
    NotASkill {
        /// The word that is not a skill.
        value: String,
        /// The skills allowed.
        skills: Vec<String>,
    },

    // ---- Rows against each other ----
    /// A household key twice in one round.
    DuplicateHousehold {
        /// The round.
        round: String,
    },
    /// A member number twice in one household.
    DuplicateMember {
        /// The household.
        household: String,
        /// The round.
        round: String,
    },
    /// A member of a household that the import does not hold.
    NoSuchHousehold {
        /// The round.
        round: String,
    },
    /// A member, in files scored as they stream (`thanrak score --input`), whose household does
    /// not come before it in the households' order.
    MemberOutOfOrder,
    /// A birth date after the survey date.
    AfterSurveyDate {
        /// The survey date of the household.
        survey_date: NaiveDate,
    },
    /// An age over the most plausible.
    AgeOver {
        /// The age at the survey date.
        age: i64,
        /// The most allowed.
        max: i64,
    },
    /// One national id for two members of one household.
    NationalIdTwiceInHousehold {
        /// The household.
        household: String,
        /// The round.
        round: String,
    },
    /// One national id in two households.
    MemberElsewhere {
        /// The other household.
        household: String,
        /// The round.
        round: String,
    },

    // ---- The header of a table ----
    /// A required column is not in the header.
    RequiredColumnMissing,
    /// A members table with neither a birth date nor an age column.
    BirthDateOrAgeColumn,
    /// A header cell that names no column.
    UnknownColumn {
        /// The columns of the table.
        expected: Vec<String>,
    },
    /// A column named twice.
    DuplicateColumn {
        /// The column.
        column: String,
    },
    /// Only one of the lat and lon columns.
    LatLonColumns {
        /// The column to add.
        missing: String,
        /// The column to remove.
        present: String,
    },
    /// A first row that names no column of the table.
    NotAHeader {
        /// The table (`households` or `members`).
        table: String,
        /// Its columns.
        expected: Vec<String>,
    },
    /// A value under a column without a header.
    ValueWithoutHeader,

    // ---- A CSV file ----
    /// A file with no header.
    FileEmpty,
    /// A row with fewer values than the header.
    RowTooShort {
        /// The values of the row.
        values: usize,
        /// The cells of the header.
        header: usize,
    },
    /// A row with more values than the header.
    RowTooWide {
        /// The values of the row.
        values: usize,
        /// The cells of the header.
        header: usize,
    },
    /// The file ends inside a quoted value.
    UnclosedQuote,
    /// Thai text in TIS-620 / Windows-874.
    Thai8Bit,
    /// A byte that is not UTF-8.
    NotUtf8 {
        /// The byte.
        byte: u8,
        /// Its 1-based position in the value.
        position: usize,
    },
    /// UTF-16 text.
    Utf16,
    /// An .xlsx workbook with a .csv name.
    XlsxNamedCsv,
    /// An old .xls workbook with a .csv name.
    XlsNamedCsv,
    /// A row longer than 1 MiB.
    RowTooLong,
    /// A header with more columns than any survey table.
    HeaderTooWide {
        /// The most columns read.
        max: usize,
    },
    /// A row with more columns than any survey table.
    RowTooManyColumns {
        /// The most columns read.
        max: usize,
    },
    /// A file that is neither CSV nor XLSX.
    NotCsvOrXlsx,

    // ---- An XLSX workbook ----
    /// An old .xls workbook, or a password-protected one.
    XlsOrProtected,
    /// Not a zip archive.
    NotXlsx,
    /// A damaged workbook.
    DamagedXlsx {
        /// What the reader said.
        detail: String,
    },
    /// No sheet named for a table.
    NoSurveySheet {
        /// The sheets the workbook has.
        sheets: Vec<String>,
    },
    /// A sheet with nothing in it.
    SheetEmpty,
    /// A sheet that cannot be read.
    SheetUnreadable {
        /// What the reader said.
        detail: String,
    },
    /// A sheet that cannot be read past a row.
    SheetUnreadablePast {
        /// What the reader said.
        detail: String,
    },
    /// A sheet over Excel's row limit.
    SheetTooManyRows {
        /// Excel's limit.
        max: u32,
    },
    /// A cell holding a spreadsheet error (`#DIV/0!`).
    SpreadsheetError,
    /// A cell over Excel's length limit.
    CellTooLong {
        /// Excel's limit.
        max: usize,
    },
    /// A workbook whose XML holds a cell over Excel's length limit.
    WorkbookCellTooLong {
        /// Excel's limit.
        max: usize,
    },
    /// A workbook with an XML tag longer than 1 MiB.
    WorkbookTagTooLong,
    /// A workbook with more distinct texts than a survey table needs.
    WorkbookTooManyTexts {
        /// The most accepted.
        max: u64,
    },
    /// A workbook with too many parts.
    WorkbookTooManyParts {
        /// The most accepted.
        max: u64,
    },
    /// A workbook that unpacks to too much.
    WorkbookTooLarge {
        /// The most bytes accepted.
        bytes: u64,
    },
    /// A part of a workbook that unpacks to too much.
    WorkbookPartTooLarge {
        /// The part.
        part: String,
        /// The most bytes accepted.
        bytes: u64,
    },

    // ---- The batch and the reader's scope ----
    /// Problems left out of a file's list.
    MoreProblems {
        /// How many.
        more: u64,
        /// How many are listed.
        shown: u64,
    },
    /// Households without a members table in a whole-round import.
    NoMembersTable,
    /// A members table in a households-only update.
    HouseholdsOnlyWithMembers,
    /// A households-only update of a household not stored yet.
    HouseholdsOnlyUnknown {
        /// The round.
        round: String,
    },
    /// A village outside the importer's areas.
    OutsideYourAreas {
        /// The importer's areas.
        areas: Vec<String>,
    },
    /// A household id used by a household the importer may not see.
    HiddenHousehold,
    /// A national id recorded for a person the importer may not see.
    HiddenNationalId,
    /// Further hidden clashes, not listed: the day's limit is reached.
    HiddenClashLimit {
        /// Clashes listed a day.
        limit: u64,
    },

    // ---- The logbook of help given (`thanrak help import`) ----
    /// Not an amount of baht of 0 or more with at most two decimals.
    NotBaht,
    /// A date after today.
    InTheFuture {
        /// The day the row was checked.
        today: NaiveDate,
    },
    /// A household that is not in the round, or that the importer may not record help for.
    NoHouseholdToHelp {
        /// The round.
        round: String,
    },
    /// An agency officer recording help of another agency.
    NotYourAgency {
        /// The officer's agency.
        agency: String,
    },
    /// An agency that is not in the catalogue.
    UnknownAgency,
    /// A referral case that does not exist or that the importer may not read.
    NoSuchCase,
    /// A case of another household or agency than the row's.
    CaseMismatch {
        /// The case's household.
        household: String,
        /// The case's agency.
        agency: String,
    },
    /// A case that help cannot close in its state.
    CaseNotOpen {
        /// The case's state (its code).
        state: String,
    },

    // ---- The registry of the grassroots economy ----
    /// A field that only an enterprise of another kind has (a registration number, stars).
    OnlyForKind {
        /// The kind that has it (its code).
        kind: String,
    },
    /// An enterprise given again below with other fields.
    EnterpriseRepeated {
        /// The enterprise's id.
        id: i64,
    },
    /// A position id used on a row above.
    PositionRepeated,
    /// An enterprise named that is neither in the file nor in the registry.
    NoSuchEnterprise,
    /// An enterprise that sells to itself.
    SellsToItself,
    /// A supplier household that is not in the registry inside the importer's areas (one
    /// message for both, so that an import tells nothing of households outside them).
    NoSupplierHousehold,

    // ---- A field export (ODK Central, KoboToolbox) ----
    /// A .zip that is not ODK Central's CSV export.
    FieldZip {
        /// What is wrong.
        detail: String,
    },
    /// A .json that is not ODK Central's OData export of submissions.
    FieldJson {
        /// What is wrong.
        detail: String,
    },
    /// A row of the members table whose submission is not in the export.
    FieldNoSubmission {
        /// The key the row names.
        key: String,
    },
    /// A members table without the submissions it belongs to.
    FieldNoMainTable,
    /// An edited submission that names another household than its earlier version (which is
    /// not named: it may be a household the importer may not see).
    FieldEditMovesHousehold,
}

/// A size in GiB or MiB.
fn size(bytes: u64) -> String {
    if bytes >= 1 << 30 {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

/// The name of a table, in the reader's language.
fn table_name(lang: Lang, table: &str) -> String {
    match (lang, table) {
        (Lang::Th, "households") => "ครัวเรือน (households)".into(),
        (Lang::Th, "members") => "สมาชิก (members)".into(),
        _ => table.to_string(),
    }
}

impl Reason {
    /// The stable code of the reason (the JSON `code`), for the API and tests.
    pub fn code(&self) -> String {
        serde_json_code(self)
    }

    /// The reason in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.english(),
            Lang::Th => self.thai(),
        }
    }

    /// The reason in English (also its `Display`).
    pub fn english(&self) -> String {
        use Reason::*;
        match self {
            Required => "is required".into(),
            ControlCharacter => "contains a control character".into(),
            NotFlag => "must be 0 or 1".into(),
            NotWholeNumber => "must be a whole number".into(),
            NotNumber => "must be a number".into(),
            NotDate => "must be a date".into(),
            Between { lo, hi } => format!("must be between {lo} and {hi}"),
            OneOf { codes } => format!("must be one of {}", codes.join(", ")),
            TextTooLong { chars, max, name } => format!(
                "is {chars} characters long: {} may have at most {max}",
                if *name {
                    "a name or house number"
                } else {
                    "a text value"
                }
            ),
            Empty => "is empty".into(),
            TooLong { max } => format!("is longer than {max} characters"),
            BadChar { ch } => format!("contains the character {ch:?}, which is not allowed"),
            NationalIdLength => "is not a valid national id: must be 13 digits".into(),
            NationalIdCheck { expected } => {
                format!("is not a valid national id: check digit is wrong (expected {expected})")
            }
            AreaShape => "must be 2, 4, 6 or 8 digits".into(),
            WrongAreaLevel { level } => {
                format!("must be a {level} code ({} digits)", level.code_len())
            }
            AreaUnknown { level } => format!("is not a known {level} code"),
            VillageZero => "village number 00 is not valid".into(),
            DateFormat => {
                "is not a date (use YYYY-MM-DD or D/M/YYYY, Buddhist or Common Era)".into()
            }
            NoSuchDay => "is not a day of the calendar".into(),
            ImplausibleYear => "has an implausible year".into(),
            BirthDateOrAge => "give birth_date or age".into(),
            LatLonTogether => "lat and lon go together: give both or neither".into(),
            NotASkill { value, skills } => {
                format!("{value:?} is not a skill (one of {})", skills.join(", "))
            }
            DuplicateHousehold { round } => format!("appears twice in round {round}"),
            DuplicateMember { household, round } => {
                format!("appears twice in household {household} of round {round}")
            }
            NoSuchHousehold { round } => {
                format!("no such household in round {round} of this import")
            }
            MemberOutOfOrder => {
                "no household at this point of households.csv has this id: members \
                                 must follow their households in the order of households.csv, as \
                                 thanrak export and thanrak demo --out write them"
                    .into()
            }
            AfterSurveyDate { survey_date } => {
                format!(
                    "is after the survey date {}",
                    date::format_iso(*survey_date)
                )
            }
            AgeOver { age, max } => {
                format!("gives an age of {age} at the survey date, over {max}")
            }
            NationalIdTwiceInHousehold { household, round } => {
                format!("is given to two members of household {household} in round {round}")
            }
            MemberElsewhere { household, round } => {
                format!("is also a member of household {household} in round {round}")
            }
            RequiredColumnMissing => "required column is missing".into(),
            BirthDateOrAgeColumn => "give a birth_date or an age column".into(),
            UnknownColumn { expected } => {
                format!("unknown column (expected one of {})", expected.join(", "))
            }
            DuplicateColumn { column } => {
                format!("the column {column} appears twice; only the first one is read")
            }
            LatLonColumns { missing, present } => {
                format!("lat and lon go together: add the {missing} column or remove {present}")
            }
            NotAHeader { table, expected } => format!(
                "the first row is not a header: none of its cells names a column of the {table} \
                 table (expected {})",
                expected.join(", ")
            ),
            ValueWithoutHeader => {
                "a value in a column without a header: name the column or remove the value".into()
            }
            FileEmpty => "the file is empty".into(),
            RowTooShort { values, header } => format!(
                "the row has {values} values but the header has {header}: a comma is missing, \
                 or the line is cut short"
            ),
            RowTooWide { values, header } => format!(
                "the row has {values} values but the header has {header}: a value holding a \
                 comma must be in double quotes"
            ),
            UnclosedQuote => "the file ends inside a quoted value (the closing \" is missing): \
                              it looks cut short, so this row is not read"
                .into(),
            Thai8Bit => "the file is not UTF-8; it looks like TIS-620/Windows-874 Thai text: \
                         save it as UTF-8 (CSV UTF-8) and import again"
                .into(),
            NotUtf8 { byte, position } => format!(
                "the file is not UTF-8: byte 0x{byte:02X} at position {position} of this value \
                 is not valid UTF-8; save it as UTF-8 (CSV UTF-8) and import again"
            ),
            Utf16 => "the file is UTF-16 text, not UTF-8: save it as UTF-8 (CSV UTF-8) and \
                      import again"
                .into(),
            XlsxNamedCsv => "this is an Excel workbook (.xlsx) with a .csv name: rename it to \
                             .xlsx, or save it as CSV UTF-8"
                .into(),
            XlsNamedCsv => "this is an old Excel .xls workbook with a .csv name: save it as CSV \
                            UTF-8 or .xlsx"
                .into(),
            RowTooLong => "row longer than 1 MiB: the file is damaged or not a survey table \
                           (the rest of the file is not read)"
                .into(),
            HeaderTooWide { max } => format!(
                "the header has more than {max} columns: a survey table has a few dozen, so the \
                 file is damaged or not a survey table (the rest of the file is not read)"
            ),
            RowTooManyColumns { max } => format!(
                "the row has more than {max} columns: a survey table has a few dozen, so the \
                 file is damaged or not a survey table (the rest of the file is not read)"
            ),
            NotCsvOrXlsx => "not a CSV or XLSX file: give a .csv file (saved as CSV UTF-8), \
                             an .xlsx workbook, or an ODK Central export (.zip or .json)"
                .into(),
            XlsOrProtected => "this is an old Excel .xls workbook or a password-protected one: \
                               save it as .xlsx (without a password) or as CSV UTF-8"
                .into(),
            NotXlsx => "the file is not an .xlsx workbook (it is not a zip archive): save it \
                        from the spreadsheet as .xlsx, or as CSV UTF-8 with a .csv name"
                .into(),
            DamagedXlsx { detail } => {
                format!("the file is not a valid .xlsx workbook ({detail})")
            }
            NoSurveySheet { sheets } => format!(
                "the workbook has no sheet named households (ครัวเรือน) or members (สมาชิก); its \
                 sheets are: {}",
                sheets.join(", ")
            ),
            SheetEmpty => "the sheet is empty".into(),
            SheetUnreadable { detail } => format!("the sheet cannot be read ({detail})"),
            SheetUnreadablePast { detail } => {
                format!("the sheet cannot be read past this row ({detail})")
            }
            SheetTooManyRows { max } => format!(
                "the sheet has more than {max} rows (Excel's limit): the rest of the sheet is \
                 not read"
            ),
            SpreadsheetError => {
                "the cell holds a spreadsheet error: correct the formula or type the value".into()
            }
            CellTooLong { max } => {
                format!("the cell holds more than {max} characters (Excel's limit)")
            }
            WorkbookCellTooLong { max } => format!(
                "a cell holds more than {max} characters (Excel's limit): the workbook is \
                 damaged or built to exhaust the server"
            ),
            WorkbookTagTooLong => "the workbook holds an XML tag longer than 1 MiB: it is \
                                   damaged or built to exhaust the server"
                .into(),
            WorkbookTooManyTexts { max } => format!(
                "the workbook holds more than {max} distinct texts: a survey table of Excel's \
                 1,048,576 rows needs fewer, so it is damaged or built to exhaust the server"
            ),
            WorkbookTooManyParts { max } => format!(
                "the workbook has more than {max} parts: it is damaged or built to exhaust the \
                 server"
            ),
            WorkbookTooLarge { bytes } => format!(
                "the workbook unpacks to more than {}: a survey workbook of Excel's 1,048,576 \
                 rows is smaller, so it is damaged or built to exhaust the server",
                size(*bytes)
            ),
            WorkbookPartTooLarge { part, bytes } => format!(
                "the part {part} of the workbook unpacks to more than {}: it is damaged or \
                 built to exhaust the server",
                size(*bytes)
            ),
            MoreProblems { more, shown } => {
                format!("… and {more} more problems (only the first {shown} are listed)")
            }
            NoMembersTable => "the files hold households but no members table: loading them \
                               would remove the members of these households. Add the members \
                               file (or the members sheet), or choose a households-only update, \
                               which keeps the stored members"
                .into(),
            HouseholdsOnlyWithMembers => "a households-only update keeps the stored members: \
                                          leave the members table out, or import households and \
                                          members together"
                .into(),
            HouseholdsOnlyUnknown { round } => format!(
                "a households-only update changes stored households, and round {round} holds no \
                 such household yet: import it with its members"
            ),
            OutsideYourAreas { areas } => {
                format!("the village is outside your areas ({})", areas.join(", "))
            }
            HiddenHousehold => "this household id is already used by a household outside your \
                                areas; an admin can resolve it. This check is logged"
                .into(),
            HiddenNationalId => "is already recorded for a person of another household that you \
                                 may not see (outside your areas, or data your role sees \
                                 masked); an admin can resolve it. This check is logged"
                .into(),
            HiddenClashLimit { limit } => format!(
                "further rows clash with records you may not see; they are not listed because \
                 you reached the limit of {limit} such clashes a day (an admin can see them in \
                 the audit log)"
            ),
            NotBaht => "must be an amount in baht of 0 or more with at most 2 decimals, such as \
                        1500 or 1,500.50"
                .into(),
            InTheFuture { today } => format!(
                "is after today ({}): help is recorded once it has been given",
                date::format_iso(*today)
            ),
            NoHouseholdToHelp { round } => {
                format!("is not a household of round {round} that you may record help for")
            }
            NotYourAgency { agency } => {
                format!("you record the help of your own agency only ({agency})")
            }
            UnknownAgency => "is not an agency of the catalogue (see thanrak agencies list)".into(),
            NoSuchCase => "is not a referral case that you may read".into(),
            CaseMismatch { household, agency } => format!(
                "is the case of household {household} at agency {agency}, not of this row's"
            ),
            CaseNotOpen { state } => format!(
                "the case is {state}: help closes a case that its agency has accepted or is \
                 working on (accept a sent case first)"
            ),
            OnlyForKind { kind } => format!("is given only for an enterprise of kind {kind}"),
            EnterpriseRepeated { id } => {
                format!("enterprise {id} is given on a row above with other fields")
            }
            PositionRepeated => "this position id is used on a row above".into(),
            NoSuchEnterprise => "is not an enterprise of this file or of the registry".into(),
            NoSupplierHousehold => "is not a household of the registry in your areas".into(),
            FieldZip { detail } => format!(
                "not an ODK Central CSV export (a .zip of the submissions table and its \
                 members table): {detail}"
            ),
            FieldJson { detail } => format!(
                "not an ODK Central JSON export (the OData Submissions feed with \
                 $expand=*): {detail}"
            ),
            FieldNoSubmission { key } => format!(
                "names the submission {key}, which is not in the export: export the \
                 submissions and their members together"
            ),
            FieldNoMainTable => "a members table without its submissions table: give both \
                                 tables of the export"
                .into(),
            FieldEditMovesHousehold => "this edit of a submission already loaded names another \
                                        household than its earlier version: change the household \
                                        id back, or send it as a new submission"
                .into(),
            SellsToItself => "an enterprise does not sell to itself".into(),
        }
    }

    /// The reason in Thai; dates in the Buddhist Era.
    pub fn thai(&self) -> String {
        use Reason::*;
        match self {
            Required => "ต้องกรอกข้อมูลช่องนี้".into(),
            ControlCharacter => "มีอักขระควบคุมที่ใช้ไม่ได้".into(),
            NotFlag => "ต้องเป็น 0 หรือ 1".into(),
            NotWholeNumber => "ต้องเป็นจำนวนเต็ม".into(),
            NotNumber => "ต้องเป็นตัวเลข".into(),
            NotDate => "ต้องเป็นวันที่".into(),
            Between { lo, hi } => format!("ต้องอยู่ระหว่าง {lo} ถึง {hi}"),
            OneOf { codes } => format!("ต้องเป็นค่าใดค่าหนึ่งต่อไปนี้: {}", codes.join(", ")),
            TextTooLong { chars, max, name } => format!(
                "ยาว {chars} ตัวอักษร: {} ยาวได้ไม่เกิน {max} ตัวอักษร",
                if *name {
                    "ชื่อหรือบ้านเลขที่"
                } else {
                    "ข้อความ"
                }
            ),
            Empty => "ว่างเปล่า".into(),
            TooLong { max } => format!("ยาวเกิน {max} ตัวอักษร"),
            BadChar { ch } => format!("มีอักขระ {ch:?} ซึ่งใช้ไม่ได้"),
            NationalIdLength => "ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง: ต้องเป็นตัวเลข 13 หลัก".into(),
            NationalIdCheck { expected } => {
                format!("ไม่ใช่เลขประจำตัวประชาชนที่ถูกต้อง: หลักตรวจสอบไม่ถูกต้อง (ควรเป็น {expected})")
            }
            AreaShape => "ต้องเป็นตัวเลข 2, 4, 6 หรือ 8 หลัก".into(),
            WrongAreaLevel { level } => {
                format!("ต้องเป็นรหัส{} ({} หลัก)", level.label_th(), level.code_len())
            }
            AreaUnknown { level } => format!("ไม่ใช่รหัส{}ที่มีอยู่ในทะเบียน", level.label_th()),
            VillageZero => "หมู่ที่ 00 ใช้ไม่ได้".into(),
            DateFormat => "ไม่ใช่วันที่ (ใช้รูปแบบ YYYY-MM-DD หรือ D/M/YYYY เป็น พ.ศ. หรือ ค.ศ. ก็ได้)".into(),
            NoSuchDay => "ไม่มีวันนี้ในปฏิทิน".into(),
            ImplausibleYear => "ปีไม่สมเหตุสมผล".into(),
            BirthDateOrAge => "ต้องมีวันเกิด (birth_date) หรืออายุ (age)".into(),
            LatLonTogether => "lat และ lon ต้องมีคู่กัน: กรอกทั้งสองค่าหรือเว้นว่างทั้งคู่".into(),
            NotASkill { value, skills } => {
                format!("{value:?} ไม่ใช่ทักษะที่รู้จัก (ใช้ได้: {})", skills.join(", "))
            }
            DuplicateHousehold { round } => format!("ซ้ำกันในรอบ {round}"),
            DuplicateMember { household, round } => {
                format!("ซ้ำกันในครัวเรือน {household} ของรอบ {round}")
            }
            NoSuchHousehold { round } => {
                format!("ไม่มีครัวเรือนนี้ในรอบ {round} ของข้อมูลที่นำเข้า")
            }
            MemberOutOfOrder => "ไม่พบครัวเรือนรหัสนี้ ณ ตำแหน่งนี้ของ households.csv: สมาชิกต้องเรียงตามลำดับครัวเรือนใน households.csv \
                                 เช่นเดียวกับที่ thanrak export และ thanrak demo --out เขียน"
                .into(),
            AfterSurveyDate { survey_date } => {
                format!("อยู่หลังวันสำรวจ {}", date::format_thai(*survey_date))
            }
            AgeOver { age, max } => format!("ทำให้อายุ ณ วันสำรวจเป็น {age} ปี เกิน {max} ปี"),
            NationalIdTwiceInHousehold { household, round } => {
                format!("ใช้กับสมาชิกสองคนของครัวเรือน {household} ในรอบ {round}")
            }
            MemberElsewhere { household, round } => {
                format!("เป็นสมาชิกของครัวเรือน {household} ในรอบ {round} อยู่แล้ว")
            }
            RequiredColumnMissing => "ไม่มีคอลัมน์ที่จำเป็นนี้".into(),
            BirthDateOrAgeColumn => "ต้องมีคอลัมน์วันเกิด (birth_date) หรืออายุ (age)".into(),
            UnknownColumn { expected } => {
                format!("ไม่รู้จักคอลัมน์นี้ (ใช้ได้: {})", expected.join(", "))
            }
            DuplicateColumn { column } => {
                format!("คอลัมน์ {column} ซ้ำกัน ระบบอ่านเฉพาะคอลัมน์แรก")
            }
            LatLonColumns { missing, present } => {
                format!("lat และ lon ต้องมีคู่กัน: เพิ่มคอลัมน์ {missing} หรือเอา {present} ออก")
            }
            NotAHeader { table, expected } => format!(
                "แถวแรกไม่ใช่หัวตาราง: ไม่มีช่องใดเป็นชื่อคอลัมน์ของตาราง {} (ใช้ได้: {})",
                table_name(Lang::Th, table),
                expected.join(", ")
            ),
            ValueWithoutHeader => "มีค่าในคอลัมน์ที่ไม่มีหัวตาราง: ตั้งชื่อคอลัมน์หรือลบค่านั้นออก".into(),
            FileEmpty => "ไฟล์ว่างเปล่า".into(),
            RowTooShort { values, header } => format!(
                "แถวนี้มี {values} ค่า แต่หัวตารางมี {header} คอลัมน์: ขาดเครื่องหมายจุลภาค \
                 หรือบรรทัดถูกตัดสั้น"
            ),
            RowTooWide { values, header } => format!(
                "แถวนี้มี {values} ค่า แต่หัวตารางมี {header} คอลัมน์: \
                 ค่าที่มีเครื่องหมายจุลภาคต้องอยู่ในเครื่องหมายคำพูด (\")"
            ),
            UnclosedQuote => "ไฟล์จบกลางค่าที่อยู่ในเครื่องหมายคำพูด (ไม่มี \" ปิด): \
                              ไฟล์น่าจะถูกตัดสั้น จึงไม่ได้อ่านแถวนี้"
                .into(),
            Thai8Bit => "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8 ดูเหมือนเป็นภาษาไทยแบบ TIS-620/Windows-874: \
                         บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่"
                .into(),
            NotUtf8 { byte, position } => format!(
                "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8: ไบต์ 0x{byte:02X} ที่ตำแหน่ง {position} \
                 ของค่านี้ไม่ใช่ UTF-8 บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่"
            ),
            Utf16 => "ไฟล์เป็นข้อความ UTF-16 ไม่ใช่ UTF-8: บันทึกเป็น CSV UTF-8 แล้วนำเข้าใหม่".into(),
            XlsxNamedCsv => "ไฟล์นี้เป็นไฟล์ Excel (.xlsx) ที่ตั้งชื่อเป็น .csv: \
                             เปลี่ยนชื่อเป็น .xlsx หรือบันทึกเป็น CSV UTF-8"
                .into(),
            XlsNamedCsv => "ไฟล์นี้เป็นไฟล์ Excel .xls แบบเก่าที่ตั้งชื่อเป็น .csv: \
                            บันทึกเป็น CSV UTF-8 หรือ .xlsx"
                .into(),
            RowTooLong => "แถวยาวเกิน 1 MiB: ไฟล์เสียหายหรือไม่ใช่ตารางข้อมูลสำรวจ \
                           (ไม่ได้อ่านส่วนที่เหลือของไฟล์)"
                .into(),
            HeaderTooWide { max } => format!(
                "หัวตารางมีเกิน {max} คอลัมน์ ตารางข้อมูลสำรวจมีเพียงไม่กี่สิบคอลัมน์ \
                 ไฟล์จึงเสียหายหรือไม่ใช่ตารางข้อมูลสำรวจ (ไม่ได้อ่านส่วนที่เหลือของไฟล์)"
            ),
            RowTooManyColumns { max } => format!(
                "แถวนี้มีเกิน {max} คอลัมน์ ตารางข้อมูลสำรวจมีเพียงไม่กี่สิบคอลัมน์ \
                 ไฟล์จึงเสียหายหรือไม่ใช่ตารางข้อมูลสำรวจ (ไม่ได้อ่านส่วนที่เหลือของไฟล์)"
            ),
            NotCsvOrXlsx => "ไม่ใช่ไฟล์ CSV หรือ XLSX: ใช้ไฟล์ .csv (บันทึกเป็น CSV UTF-8) \
                             ไฟล์ .xlsx หรือไฟล์ส่งออกของ ODK Central (.zip หรือ .json)"
                .into(),
            XlsOrProtected => "ไฟล์นี้เป็นไฟล์ Excel .xls แบบเก่าหรือไฟล์ที่ตั้งรหัสผ่านไว้: \
                               บันทึกเป็น .xlsx (ไม่ตั้งรหัสผ่าน) หรือ CSV UTF-8"
                .into(),
            NotXlsx => "ไฟล์ไม่ใช่ไฟล์ .xlsx (ไม่ใช่ไฟล์ zip): บันทึกจากโปรแกรมตารางคำนวณเป็น .xlsx \
                        หรือเป็น CSV UTF-8 ที่มีนามสกุล .csv"
                .into(),
            DamagedXlsx { detail } => format!("ไฟล์ .xlsx เสียหาย ({detail})"),
            NoSurveySheet { sheets } => format!(
                "ไม่มีชีตชื่อ households (ครัวเรือน) หรือ members (สมาชิก) ชีตที่มีคือ: {}",
                sheets.join(", ")
            ),
            SheetEmpty => "ชีตว่างเปล่า".into(),
            SheetUnreadable { detail } => format!("อ่านชีตนี้ไม่ได้ ({detail})"),
            SheetUnreadablePast { detail } => {
                format!("อ่านชีตต่อจากแถวนี้ไม่ได้ ({detail})")
            }
            SheetTooManyRows { max } => {
                format!("ชีตมีเกิน {max} แถว (ขีดจำกัดของ Excel): ไม่ได้อ่านส่วนที่เหลือของชีต")
            }
            SpreadsheetError => "ช่องนี้มีค่าผิดพลาดของสูตร: แก้สูตรหรือพิมพ์ค่าลงไปแทน".into(),
            CellTooLong { max } => format!("ช่องนี้มีเกิน {max} ตัวอักษร (ขีดจำกัดของ Excel)"),
            WorkbookCellTooLong { max } => format!(
                "มีช่องที่ยาวเกิน {max} ตัวอักษร (ขีดจำกัดของ Excel): \
                 ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป"
            ),
            WorkbookTagTooLong => "ไฟล์มีแท็ก XML ยาวเกิน 1 MiB: \
                                   ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป"
                .into(),
            WorkbookTooManyTexts { max } => format!(
                "ไฟล์มีข้อความที่ไม่ซ้ำกันเกิน {max} ข้อความ: \
                 ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป"
            ),
            WorkbookTooManyParts { max } => format!(
                "ไฟล์มีส่วนประกอบเกิน {max} ส่วน: \
                 ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป"
            ),
            WorkbookTooLarge { bytes } => format!(
                "ไฟล์เมื่อแตกออกมีขนาดเกิน {}: \
                 ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป",
                size(*bytes)
            ),
            WorkbookPartTooLarge { part, bytes } => format!(
                "ส่วน {part} ของไฟล์เมื่อแตกออกมีขนาดเกิน {}: \
                 ไฟล์เสียหายหรือถูกสร้างมาเพื่อให้เครื่องแม่ข่ายทำงานหนักเกินไป",
                size(*bytes)
            ),
            MoreProblems { more, shown } => {
                format!("… และปัญหาอีก {more} รายการ (แสดงเฉพาะ {shown} รายการแรก)")
            }
            NoMembersTable => "ไฟล์มีตารางครัวเรือนแต่ไม่มีตารางสมาชิก: หากบันทึก \
                               สมาชิกของครัวเรือนเหล่านี้จะถูกลบ เพิ่มไฟล์สมาชิก (หรือชีต members) \
                               หรือเลือก \"ปรับปรุงเฉพาะข้อมูลครัวเรือน\" ซึ่งจะเก็บสมาชิกเดิมไว้"
                .into(),
            HouseholdsOnlyWithMembers => "การปรับปรุงเฉพาะข้อมูลครัวเรือนจะเก็บสมาชิกเดิมไว้: \
                                          เอาตารางสมาชิกออก หรือนำเข้าครัวเรือนพร้อมสมาชิกตามปกติ"
                .into(),
            HouseholdsOnlyUnknown { round } => format!(
                "การปรับปรุงเฉพาะข้อมูลครัวเรือนใช้ได้กับครัวเรือนที่บันทึกไว้แล้วเท่านั้น \
                 แต่รอบ {round} ยังไม่มีครัวเรือนนี้: นำเข้าพร้อมสมาชิก"
            ),
            OutsideYourAreas { areas } => {
                format!("หมู่บ้านนี้อยู่นอกพื้นที่ของท่าน ({})", areas.join(", "))
            }
            HiddenHousehold => "รหัสครัวเรือนนี้มีครัวเรือนนอกพื้นที่ของท่านใช้อยู่แล้ว \
                                ผู้ดูแลระบบช่วยแก้ไขได้ (การตรวจนี้ถูกบันทึกไว้)"
                .into(),
            HiddenNationalId => "มีบันทึกเป็นของบุคคลในครัวเรือนอื่นที่ท่านไม่มีสิทธิ์เห็นอยู่แล้ว \
                                 (นอกพื้นที่ของท่าน หรือข้อมูลที่ปิดบังสำหรับบทบาทของท่าน) \
                                 ผู้ดูแลระบบช่วยแก้ไขได้ (การตรวจนี้ถูกบันทึกไว้)"
                .into(),
            HiddenClashLimit { limit } => format!(
                "ยังมีแถวอื่นที่ซ้ำกับข้อมูลที่ท่านไม่มีสิทธิ์เห็น ระบบไม่แสดงรายการเพราะท่านตรวจพบ\
                 กรณีเช่นนี้ครบ {limit} รายการต่อวันแล้ว (ผู้ดูแลระบบดูได้ในบันทึกการเข้าถึง)"
            ),
            NotBaht => {
                "ต้องเป็นจำนวนเงินบาทตั้งแต่ 0 ขึ้นไป มีทศนิยมไม่เกิน 2 ตำแหน่ง เช่น 1500 หรือ 1,500.50".into()
            }
            InTheFuture { today } => format!(
                "เป็นวันหลังวันนี้ ({}): บันทึกความช่วยเหลือหลังจากให้แล้วเท่านั้น",
                date::format_thai(*today)
            ),
            NoHouseholdToHelp { round } => {
                format!("ไม่ใช่ครัวเรือนในรอบ {round} ที่ท่านบันทึกความช่วยเหลือได้")
            }
            NotYourAgency { agency } => {
                format!("ท่านบันทึกได้เฉพาะความช่วยเหลือของหน่วยงานของท่าน ({agency})")
            }
            UnknownAgency => "ไม่ใช่หน่วยงานในทะเบียนหน่วยงาน (ดู thanrak agencies list)".into(),
            NoSuchCase => "ไม่ใช่เรื่องส่งต่อที่ท่านมีสิทธิ์เห็น".into(),
            CaseMismatch { household, agency } => {
                format!("เป็นเรื่องของครัวเรือน {household} ที่หน่วยงาน {agency} ไม่ใช่ของแถวนี้")
            }
            CaseNotOpen { state } => format!(
                "เรื่องนี้อยู่ในสถานะ {state}: ความช่วยเหลือปิดได้เฉพาะเรื่องที่หน่วยงานรับเรื่องแล้ว\
                 หรือกำลังดำเนินการ (เรื่องที่ส่งต่อแล้วต้องรับเรื่องก่อน)"
            ),
            OnlyForKind { kind } => format!("ใช้ได้เฉพาะกิจการประเภท {kind}"),
            EnterpriseRepeated { id } => {
                format!("กิจการรหัส {id} มีในแถวก่อนหน้าด้วยข้อมูลที่ต่างกัน")
            }
            PositionRepeated => "รหัสตำแหน่งงานนี้ใช้แล้วในแถวก่อนหน้า".into(),
            NoSuchEnterprise => "ไม่ใช่กิจการในไฟล์นี้หรือในทะเบียน".into(),
            NoSupplierHousehold => "ไม่ใช่ครัวเรือนในทะเบียนในพื้นที่ของท่าน".into(),
            FieldZip { detail } => format!(
                "ไม่ใช่ไฟล์ส่งออก CSV ของ ODK Central (ไฟล์ .zip ที่มีตารางแบบสำรวจและตารางสมาชิก): {detail}"
            ),
            FieldJson { detail } => format!(
                "ไม่ใช่ไฟล์ส่งออก JSON ของ ODK Central (OData Submissions พร้อม $expand=*): {detail}"
            ),
            FieldNoSubmission { key } => {
                format!("อ้างถึงแบบสำรวจ {key} ซึ่งไม่มีในไฟล์ส่งออก: ส่งออกแบบสำรวจพร้อมตารางสมาชิก")
            }
            FieldNoMainTable => "มีตารางสมาชิกแต่ไม่มีตารางแบบสำรวจ: ใส่ทั้งสองตารางของไฟล์ส่งออก".into(),
            FieldEditMovesHousehold => "แบบสำรวจที่แก้ไขนี้เคยนำเข้าแล้วเป็นอีกครัวเรือนหนึ่ง: \
                                        แก้รหัสครัวเรือนกลับ หรือส่งเป็นแบบสำรวจใหม่"
                .into(),
            SellsToItself => "กิจการขายให้ตัวเองไม่ได้".into(),
        }
    }
}

/// The `code` of the reason's JSON form: the variant's name in snake_case, as serde writes it
/// (`rename_all = "snake_case"`), read from the `Debug` name so that core needs no JSON writer.
fn serde_json_code(reason: &Reason) -> String {
    let debug = format!("{reason:?}");
    let name = debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let mut code = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                code.push('_');
            }
            code.push(c.to_ascii_lowercase());
        } else {
            code.push(c);
        }
    }
    code
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl From<IdError> for Reason {
    fn from(e: IdError) -> Self {
        match e {
            IdError::Empty => Reason::Empty,
            IdError::TooLong(max) => Reason::TooLong { max },
            IdError::BadChar(ch) => Reason::BadChar { ch },
            IdError::NationalIdLength => Reason::NationalIdLength,
            IdError::NationalIdCheck { expected } => Reason::NationalIdCheck { expected },
        }
    }
}

impl From<AreaError> for Reason {
    fn from(e: AreaError) -> Self {
        match e {
            AreaError::Shape => Reason::AreaShape,
            AreaError::Level(level, _) => Reason::WrongAreaLevel { level },
            AreaError::Unknown(level) => Reason::AreaUnknown { level },
            AreaError::VillageZero => Reason::VillageZero,
            // Names are not read from files: a cell holding one is not a code.
            AreaError::Ambiguous(..) | AreaError::NoSuchName => Reason::AreaShape,
        }
    }
}

impl From<DateError> for Reason {
    fn from(e: DateError) -> Self {
        match e {
            DateError::Format => Reason::DateFormat,
            DateError::NoSuchDay => Reason::NoSuchDay,
            DateError::Year => Reason::ImplausibleYear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One reason of each kind. The `match` in the test below lists every variant, so a new
    /// reason does not compile until it is added here, with its texts checked.
    fn one_of_each() -> Vec<Reason> {
        use Reason::*;
        vec![
            Required,
            ControlCharacter,
            NotFlag,
            NotWholeNumber,
            NotNumber,
            NotDate,
            Between {
                lo: "0".into(),
                hi: "130".into(),
            },
            OneOf {
                codes: vec!["M".into(), "F".into()],
            },
            TextTooLong {
                chars: 201,
                max: 200,
                name: true,
            },
            Empty,
            TooLong { max: 40 },
            BadChar { ch: '/' },
            NationalIdLength,
            NationalIdCheck { expected: 1 },
            AreaShape,
            WrongAreaLevel {
                level: crate::AreaLevel::Village,
            },
            AreaUnknown {
                level: crate::AreaLevel::Subdistrict,
            },
            VillageZero,
            DateFormat,
            NoSuchDay,
            ImplausibleYear,
            BirthDateOrAge,
            LatLonTogether,
            NotASkill {
                value: "juggling".into(),
                skills: vec!["trade".into()],
            },
            DuplicateHousehold {
                round: "2566".into(),
            },
            DuplicateMember {
                household: "H1".into(),
                round: "2566".into(),
            },
            NoSuchHousehold {
                round: "2566".into(),
            },
            MemberOutOfOrder,
            AfterSurveyDate {
                survey_date: NaiveDate::from_ymd_opt(2023, 6, 15).unwrap(),
            },
            AgeOver { age: 131, max: 130 },
            NationalIdTwiceInHousehold {
                household: "H1".into(),
                round: "2566".into(),
            },
            MemberElsewhere {
                household: "H2".into(),
                round: "2566".into(),
            },
            RequiredColumnMissing,
            BirthDateOrAgeColumn,
            UnknownColumn {
                expected: vec!["round".into()],
            },
            DuplicateColumn {
                column: "round".into(),
            },
            LatLonColumns {
                missing: "lon".into(),
                present: "lat".into(),
            },
            NotAHeader {
                table: "households".into(),
                expected: vec!["round".into()],
            },
            ValueWithoutHeader,
            FileEmpty,
            RowTooShort {
                values: 3,
                header: 5,
            },
            RowTooWide {
                values: 6,
                header: 5,
            },
            UnclosedQuote,
            Thai8Bit,
            NotUtf8 {
                byte: 0xE0,
                position: 3,
            },
            Utf16,
            XlsxNamedCsv,
            XlsNamedCsv,
            RowTooLong,
            HeaderTooWide { max: 1024 },
            RowTooManyColumns { max: 1024 },
            NotCsvOrXlsx,
            XlsOrProtected,
            NotXlsx,
            DamagedXlsx {
                detail: "bad zip".into(),
            },
            NoSurveySheet {
                sheets: vec!["Sheet1".into()],
            },
            SheetEmpty,
            SheetUnreadable { detail: "x".into() },
            SheetUnreadablePast { detail: "x".into() },
            SheetTooManyRows { max: 1_048_576 },
            SpreadsheetError,
            CellTooLong { max: 32_767 },
            WorkbookCellTooLong { max: 32_767 },
            WorkbookTagTooLong,
            WorkbookTooManyTexts { max: 4 },
            WorkbookTooManyParts { max: 10_000 },
            WorkbookTooLarge { bytes: 3 << 30 },
            WorkbookPartTooLarge {
                part: "xl/sharedStrings.xml".into(),
                bytes: 512 << 20,
            },
            MoreProblems {
                more: 5,
                shown: 10_000,
            },
            NoMembersTable,
            HouseholdsOnlyWithMembers,
            HouseholdsOnlyUnknown {
                round: "2566".into(),
            },
            OutsideYourAreas {
                areas: vec!["52".into()],
            },
            HiddenHousehold,
            HiddenNationalId,
            HiddenClashLimit { limit: 50 },
            NotBaht,
            InTheFuture {
                today: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            },
            NoHouseholdToHelp {
                round: "2566".into(),
            },
            NotYourAgency {
                agency: "codi".into(),
            },
            UnknownAgency,
            NoSuchCase,
            CaseMismatch {
                household: "H1".into(),
                agency: "codi".into(),
            },
            CaseNotOpen {
                state: "sent".into(),
            },
            Reason::OnlyForKind {
                kind: "otop".into(),
            },
            Reason::EnterpriseRepeated { id: 7 },
            Reason::PositionRepeated,
            Reason::NoSuchEnterprise,
            Reason::SellsToItself,
            Reason::NoSupplierHousehold,
            Reason::FieldZip { detail: "x".into() },
            Reason::FieldJson { detail: "x".into() },
            Reason::FieldNoSubmission {
                key: "uuid:1".into(),
            },
            Reason::FieldNoMainTable,
            Reason::FieldEditMovesHousehold,
        ]
    }

    #[test]
    fn every_reason_has_its_english_and_its_thai() {
        let mut codes = std::collections::BTreeSet::new();
        for r in one_of_each() {
            match &r {
                Reason::Required
                | Reason::ControlCharacter
                | Reason::NotFlag
                | Reason::NotWholeNumber
                | Reason::NotNumber
                | Reason::NotDate
                | Reason::Between { .. }
                | Reason::OneOf { .. }
                | Reason::TextTooLong { .. }
                | Reason::Empty
                | Reason::TooLong { .. }
                | Reason::BadChar { .. }
                | Reason::NationalIdLength
                | Reason::NationalIdCheck { .. }
                | Reason::AreaShape
                | Reason::WrongAreaLevel { .. }
                | Reason::AreaUnknown { .. }
                | Reason::VillageZero
                | Reason::DateFormat
                | Reason::NoSuchDay
                | Reason::ImplausibleYear
                | Reason::BirthDateOrAge
                | Reason::LatLonTogether
                | Reason::NotASkill { .. }
                | Reason::DuplicateHousehold { .. }
                | Reason::DuplicateMember { .. }
                | Reason::NoSuchHousehold { .. }
                | Reason::MemberOutOfOrder
                | Reason::AfterSurveyDate { .. }
                | Reason::AgeOver { .. }
                | Reason::NationalIdTwiceInHousehold { .. }
                | Reason::MemberElsewhere { .. }
                | Reason::RequiredColumnMissing
                | Reason::BirthDateOrAgeColumn
                | Reason::UnknownColumn { .. }
                | Reason::DuplicateColumn { .. }
                | Reason::LatLonColumns { .. }
                | Reason::NotAHeader { .. }
                | Reason::ValueWithoutHeader
                | Reason::FileEmpty
                | Reason::RowTooShort { .. }
                | Reason::RowTooWide { .. }
                | Reason::UnclosedQuote
                | Reason::Thai8Bit
                | Reason::NotUtf8 { .. }
                | Reason::Utf16
                | Reason::XlsxNamedCsv
                | Reason::XlsNamedCsv
                | Reason::RowTooLong
                | Reason::HeaderTooWide { .. }
                | Reason::RowTooManyColumns { .. }
                | Reason::NotCsvOrXlsx
                | Reason::XlsOrProtected
                | Reason::NotXlsx
                | Reason::DamagedXlsx { .. }
                | Reason::NoSurveySheet { .. }
                | Reason::SheetEmpty
                | Reason::SheetUnreadable { .. }
                | Reason::SheetUnreadablePast { .. }
                | Reason::SheetTooManyRows { .. }
                | Reason::SpreadsheetError
                | Reason::CellTooLong { .. }
                | Reason::WorkbookCellTooLong { .. }
                | Reason::WorkbookTagTooLong
                | Reason::WorkbookTooManyTexts { .. }
                | Reason::WorkbookTooManyParts { .. }
                | Reason::WorkbookTooLarge { .. }
                | Reason::WorkbookPartTooLarge { .. }
                | Reason::MoreProblems { .. }
                | Reason::NoMembersTable
                | Reason::HouseholdsOnlyWithMembers
                | Reason::HouseholdsOnlyUnknown { .. }
                | Reason::OutsideYourAreas { .. }
                | Reason::HiddenHousehold
                | Reason::HiddenNationalId
                | Reason::HiddenClashLimit { .. }
                | Reason::NotBaht
                | Reason::InTheFuture { .. }
                | Reason::NoHouseholdToHelp { .. }
                | Reason::NotYourAgency { .. }
                | Reason::UnknownAgency
                | Reason::NoSuchCase
                | Reason::CaseMismatch { .. }
                | Reason::CaseNotOpen { .. }
                | Reason::OnlyForKind { .. }
                | Reason::EnterpriseRepeated { .. }
                | Reason::PositionRepeated
                | Reason::NoSuchEnterprise
                | Reason::SellsToItself
                | Reason::NoSupplierHousehold
                | Reason::FieldZip { .. }
                | Reason::FieldJson { .. }
                | Reason::FieldNoSubmission { .. }
                | Reason::FieldNoMainTable
                | Reason::FieldEditMovesHousehold => {}
            }
            let (en, th) = (r.text(Lang::En), r.text(Lang::Th));
            assert_eq!(en, r.to_string());
            assert!(en.chars().any(|c| c.is_ascii_alphabetic()), "{en}");
            assert!(
                th.chars().any(|c| ('\u{0E00}'..='\u{0E7F}').contains(&c)),
                "no Thai: {en}"
            );
            assert!(codes.insert(r.code()), "code twice: {}", r.code());
        }
    }

    #[test]
    fn dates_are_buddhist_era_in_thai() {
        let r = Reason::AfterSurveyDate {
            survey_date: NaiveDate::from_ymd_opt(2023, 6, 15).unwrap(),
        };
        assert_eq!(r.to_string(), "is after the survey date 2023-06-15");
        assert!(r.thai().ends_with("2566"), "{}", r.thai());
    }

    #[test]
    fn codes_are_the_snake_case_of_the_variant() {
        assert_eq!(Reason::Required.code(), "required");
        assert_eq!(
            Reason::NotUtf8 {
                byte: 0xE0,
                position: 3
            }
            .code(),
            "not_utf8"
        );
        assert_eq!(
            Reason::AfterSurveyDate {
                survey_date: NaiveDate::from_ymd_opt(2023, 6, 15).unwrap()
            }
            .code(),
            "after_survey_date"
        );
    }
}
