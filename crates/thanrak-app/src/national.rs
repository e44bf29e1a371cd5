//! National scale as files, without a database (issue 15): the synthetic population of every
//! province written as the import format's CSV tables (`thanrak demo --out DIR`), streamed
//! province by province so that memory holds one province whatever the number of households.
//!
//! Generation (one random stream, so one thread) and writing run side by side: the generator
//! hands each province's two rounds to a writer thread through a channel of one, so at most
//! three provinces are in memory at once.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use thanrak_core::schema::{HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use thanrak_core::{AreaCode, AreaLevel, AreaRegistry, Household, Member};
use thanrak_demo::{DemoConfig, DemoError, DemoRound};

use crate::{AppError, Progress};

/// What `write_demo` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFiles {
    /// Each round's folder with its `households.csv` and `members.csv`, oldest first.
    pub rounds: Vec<(String, PathBuf)>,
    /// Households per round.
    pub households: u64,
    /// Members in the first round.
    pub members: u64,
    /// Provinces generated.
    pub provinces: usize,
}

/// Every province of the official table, for `--provinces all`.
pub fn all_provinces() -> Vec<AreaCode> {
    AreaRegistry::official()
        .areas()
        .iter()
        .filter(|a| a.level() == AreaLevel::Province)
        .map(|a| a.code)
        .collect()
}

/// One round's two tables, written in parts.
struct RoundFiles {
    households: BufWriter<File>,
    members: BufWriter<File>,
    header: bool,
}

impl RoundFiles {
    fn create(dir: &Path) -> Result<RoundFiles, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| write_err(dir, &e))?;
        let open = |name: &str| -> Result<BufWriter<File>, AppError> {
            let path = dir.join(name);
            File::create(&path)
                .map(|f| BufWriter::with_capacity(1 << 20, f))
                .map_err(|e| write_err(&path, &e))
        };
        Ok(RoundFiles {
            households: open("households.csv")?,
            members: open("members.csv")?,
            header: true,
        })
    }

    fn push(
        &mut self,
        households: &[Household],
        members: &[Member],
        dir: &Path,
    ) -> Result<(), AppError> {
        thanrak_io::write_csv_part(
            &mut self.households,
            HOUSEHOLD_COLUMNS,
            self.header,
            households.iter().map(Household::to_values),
        )
        .map_err(|e| write_err(&dir.join("households.csv"), &e))?;
        thanrak_io::write_csv_part(
            &mut self.members,
            MEMBER_COLUMNS,
            self.header,
            members.iter().map(Member::to_values),
        )
        .map_err(|e| write_err(&dir.join("members.csv"), &e))?;
        self.header = false;
        Ok(())
    }

    fn finish(mut self, dir: &Path) -> Result<(), AppError> {
        self.households
            .flush()
            .and_then(|_| self.members.flush())
            .map_err(|e| write_err(dir, &e))
    }
}

fn write_err(path: &Path, e: &dyn std::fmt::Display) -> AppError {
    AppError::Invalid(format!("cannot write {}: {e}", path.display()))
}

/// Generates the demo population of `config` and writes each round into `out/ROUND/` as
/// `households.csv` and `members.csv`, the same rows `thanrak demo` loads, one province at a time.
pub fn write_demo(
    config: &DemoConfig,
    out: &Path,
    progress: Progress<'_>,
) -> Result<DemoFiles, AppError> {
    let labels = [thanrak_demo::ROUND_1, thanrak_demo::ROUND_2];
    let dirs: Vec<PathBuf> = labels.iter().map(|l| out.join(l)).collect();
    let mut files = dirs
        .iter()
        .map(|d| RoundFiles::create(d))
        .collect::<Result<Vec<_>, _>>()?;
    let total = config.households as u64;
    let (tx, rx) = mpsc::sync_channel::<(DemoRound, DemoRound)>(1);
    let writer_dirs = dirs.clone();
    let writer = std::thread::spawn(
        move || -> Result<(Vec<RoundFiles>, u64, u64, usize), AppError> {
            let (mut households, mut members, mut provinces) = (0u64, 0u64, 0usize);
            for (r1, r2) in rx {
                for (i, r) in [&r1, &r2].into_iter().enumerate() {
                    files[i].push(&r.households, &r.members, &writer_dirs[i])?;
                }
                households += r1.households.len() as u64;
                members += r1.members.len() as u64;
                provinces += 1;
            }
            Ok((files, households, members, provinces))
        },
    );
    let mut generated = 0u64;
    progress("generate and write", 0, total);
    let sent =
        thanrak_demo::generate_by_province::<Stop>(config, AreaRegistry::official(), |r1, r2| {
            generated += r1.households.len() as u64;
            tx.send((r1, r2)).map_err(|_| Stop::Writer)?;
            progress("generate and write", generated, total);
            Ok(())
        });
    drop(tx);
    let written = writer
        .join()
        .map_err(|_| AppError::Invalid("the writer thread stopped".into()))?;
    match sent {
        Err(Stop::Demo(e)) => return Err(AppError::Invalid(e.to_string())),
        // The writer stopped early: its own error says why.
        Err(Stop::Writer) | Ok(()) => {}
    }
    let (files, households, members, provinces) = written?;
    for (f, d) in files.into_iter().zip(&dirs) {
        f.finish(d)?;
    }
    Ok(DemoFiles {
        rounds: labels.iter().map(ToString::to_string).zip(dirs).collect(),
        households,
        members,
        provinces,
    })
}

/// Why generation stopped.
enum Stop {
    Demo(DemoError),
    Writer,
}

impl From<DemoError> for Stop {
    fn from(e: DemoError) -> Stop {
        Stop::Demo(e)
    }
}

/// Households scored and written at a time when scoring files.
const PART: usize = 16_384;

/// One round scored from files.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredRound {
    /// The round's folder name.
    pub round: String,
    /// Households scored.
    pub households: u64,
    /// Members read.
    pub members: u64,
    /// `scores.csv`: one row per household.
    pub scores: PathBuf,
    /// `figures.csv`: the country and each province.
    pub figures: PathBuf,
    /// The country's figures (persons).
    pub overall: thanrak_core::measure::Summary,
}

/// What scoring files did.
#[derive(Debug)]
pub enum ScoreFilesOutcome {
    /// Every round scored.
    Done(Vec<ScoredRound>),
    /// The files have problems (each located as an import locates them); nothing was written.
    Refused(Vec<thanrak_io::Diagnostic>),
}

/// The rounds under `input`: the folder itself when it holds `households.csv`, else each of its
/// folders that does, in name order.
fn round_dirs(input: &Path) -> Result<Vec<(String, PathBuf)>, AppError> {
    let name = |p: &Path| {
        p.file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned()
    };
    if input.join("households.csv").is_file() {
        return Ok(vec![(name(input), input.to_path_buf())]);
    }
    let entries = std::fs::read_dir(input).map_err(|e| {
        AppError::Invalid(format!("cannot read the folder {}: {e}", input.display()))
    })?;
    let mut dirs: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("households.csv").is_file())
        .map(|p| (name(&p), p))
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(AppError::Invalid(format!(
            "{} holds no households.csv, nor folders that do (as `thanrak demo --out` writes them)",
            input.display()
        )));
    }
    Ok(dirs)
}

/// A part of a table as read: its records with their rows, and the problems found.
struct Part<T> {
    records: Vec<T>,
    rows: Vec<u64>,
    diagnostics: Vec<thanrak_io::Diagnostic>,
    /// Records of the other table found in this file (a file given for the wrong table).
    wrong_table: bool,
}

/// Takes a table's records out of a batch: the records, their rows, and whether the other
/// table's records were found too.
type TakeRecords<T> = fn(&mut thanrak_io::Batch) -> (Vec<T>, Vec<u64>, bool);

/// Streams one table on a thread of its own; the channel's bound keeps memory flat.
fn read_table<T: Send + 'static>(
    path: PathBuf,
    take: TakeRecords<T>,
) -> (
    mpsc::Receiver<Part<T>>,
    std::thread::JoinHandle<Result<(), AppError>>,
) {
    let (tx, rx) = mpsc::sync_channel::<Part<T>>(4);
    let handle = std::thread::spawn(move || {
        let mut open = true;
        thanrak_io::stream_csv_table(&path, AreaRegistry::official(), PART, &mut |b| {
            let (records, rows, wrong_table) = take(b);
            let diagnostics = std::mem::take(&mut b.diagnostics);
            b.rejected_rows.clear();
            if open {
                open = tx
                    .send(Part {
                        records,
                        rows,
                        diagnostics,
                        wrong_table,
                    })
                    .is_ok();
            }
        })
        .map_err(AppError::from)
    });
    (rx, handle)
}

fn take_households(b: &mut thanrak_io::Batch) -> (Vec<Household>, Vec<u64>, bool) {
    let rows = b.household_origins.drain(..).map(|o| o.row).collect();
    let wrong = !b.members.is_empty();
    b.members.clear();
    b.member_origins.clear();
    (std::mem::take(&mut b.households), rows, wrong)
}

fn take_members(b: &mut thanrak_io::Batch) -> (Vec<Member>, Vec<u64>, bool) {
    let rows = b.member_origins.drain(..).map(|o| o.row).collect();
    let wrong = !b.households.is_empty();
    b.households.clear();
    b.household_origins.clear();
    (std::mem::take(&mut b.members), rows, wrong)
}

/// Scores the rounds under `input` (see [`round_dirs`]) from files to files, without a database:
/// `out/ROUND/scores.csv` (each household's score, MPI-poor, target-poor, group, capitals,
/// deprivations and needs) and `out/ROUND/figures.csv` (the country and each province: H, A, M0
/// in persons, households and persons by group). The two tables stream side by side — members
/// must follow the order of their households, as `thanrak export` and `thanrak demo --out` write
/// them — a part of households at a time, so that memory does not grow with the round. Every
/// cell is checked as an import checks it; files with problems write nothing.
pub fn score_files(
    m: &thanrak_core::methodology::Methodology,
    input: &Path,
    out: &Path,
    progress: Progress<'_>,
) -> Result<ScoreFilesOutcome, AppError> {
    let mut done = Vec::new();
    for (round, dir) in round_dirs(input)? {
        let target = out.join(&round);
        match score_round_files(m, &round, &dir, &target, progress)? {
            Ok(scored) => done.push(scored),
            Err(diagnostics) => return Ok(ScoreFilesOutcome::Refused(diagnostics)),
        }
    }
    Ok(ScoreFilesOutcome::Done(done))
}

/// A file written beside its final name and renamed when complete.
struct Staged {
    file: BufWriter<File>,
    partial: PathBuf,
    path: PathBuf,
}

impl Staged {
    fn create(path: PathBuf) -> Result<Staged, AppError> {
        let partial = path.with_extension("csv.partial");
        let file = File::create(&partial).map_err(|e| write_err(&partial, &e))?;
        Ok(Staged {
            file: BufWriter::with_capacity(1 << 20, file),
            partial,
            path,
        })
    }

    fn write(
        &mut self,
        first: bool,
        header: &[&str],
        rows: &[Vec<String>],
    ) -> Result<(), AppError> {
        let bytes = thanrak_io::table_csv_part(first, header, rows)
            .map_err(|e| write_err(&self.path, &e))?;
        self.file
            .write_all(&bytes)
            .map_err(|e| write_err(&self.path, &e))
    }

    fn commit(mut self) -> Result<PathBuf, AppError> {
        self.file.flush().map_err(|e| write_err(&self.path, &e))?;
        std::fs::rename(&self.partial, &self.path).map_err(|e| write_err(&self.path, &e))?;
        Ok(self.path.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // Not committed: nothing is left behind. (After a commit the partial name is gone.)
        let _ = std::fs::remove_file(&self.partial);
    }
}

const SCORE_HEADER: [&str; 15] = [
    "household_id",
    "village_code",
    "members",
    "score",
    "mpi_poor",
    "target_poor",
    "group",
    "human",
    "physical",
    "economic",
    "natural",
    "social",
    "income_per_person",
    "deprivations",
    "needs",
];

#[allow(clippy::type_complexity)]
fn score_round_files(
    m: &thanrak_core::methodology::Methodology,
    round: &str,
    dir: &Path,
    target: &Path,
    progress: Progress<'_>,
) -> Result<Result<ScoredRound, Vec<thanrak_io::Diagnostic>>, AppError> {
    use std::collections::VecDeque;
    use thanrak_core::measure::{self, Aggregator, Unit};

    std::fs::create_dir_all(target).map_err(|e| write_err(target, &e))?;
    let hh_path = dir.join("households.csv");
    let m_path = dir.join("members.csv");
    let total_bytes = std::fs::metadata(&hh_path)
        .map(|x| x.len())
        .unwrap_or(0)
        .max(1);
    let (hrx, h_thread) = read_table(hh_path.clone(), take_households);
    let (mrx, m_thread) = read_table(m_path.clone(), take_members);
    let mut scores_file = Staged::create(target.join("scores.csv"))?;
    let mut diagnostics: Vec<thanrak_io::Diagnostic> = Vec::new();
    let mut members_open = true;
    let mut pending: VecDeque<(Member, u64)> = VecDeque::new();
    let mut agg = Aggregator::new(measure::af::AfInput::from_methodology(m), Unit::Person);
    let (mut households, mut members, mut first) = (0u64, 0u64, true);
    let wrong_table = |file: &Path, table: &str| thanrak_io::Diagnostic {
        file: file.display().to_string(),
        row: 1,
        column: String::new(),
        value: String::new(),
        reason: thanrak_core::Reason::NotAHeader {
            table: table.to_string(),
            expected: if table == "members" {
                MEMBER_COLUMNS
            } else {
                HOUSEHOLD_COLUMNS
            }
            .iter()
            .map(|c| c.name.to_string())
            .collect(),
        },
    };
    let indicators: Vec<&str> = m.indicators().iter().map(|i| i.id.as_str()).collect();
    let needs: Vec<&str> = m.needs().iter().map(|n| n.id.as_str()).collect();
    progress("score", 0, total_bytes);
    for part in hrx.iter() {
        diagnostics.extend(part.diagnostics);
        if part.wrong_table {
            diagnostics.push(wrong_table(&hh_path, "households"));
        }
        // The members of this part's households: they come next in the members file.
        let mut part_members = Vec::new();
        for h in &part.records {
            loop {
                if pending.is_empty() && members_open {
                    match mrx.recv() {
                        Ok(p) => {
                            diagnostics.extend(p.diagnostics);
                            if p.wrong_table {
                                diagnostics.push(wrong_table(&m_path, "members"));
                            }
                            pending.extend(p.records.into_iter().zip(p.rows));
                            continue;
                        }
                        Err(_) => members_open = false,
                    }
                }
                match pending.front() {
                    Some((mem, _)) if mem.household_id == h.household_id => {
                        part_members.push(pending.pop_front().expect("a front").0);
                    }
                    _ => break,
                }
            }
        }
        households += part.records.len() as u64;
        members += part_members.len() as u64;
        if !diagnostics.is_empty() {
            continue; // read on for the report; nothing more is scored
        }
        let scores = measure::score_round(m, &part.records, &part_members);
        let mut rows = Vec::with_capacity(scores.len());
        for (h, s) in part.records.iter().zip(&scores) {
            agg.push(
                h.village_code
                    .ancestor(AreaLevel::Province)
                    .unwrap_or(h.village_code),
                s,
            );
            let listed = |names: &[&str], bits: &thanrak_core::measure::Bits| {
                names
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| bits.get(*i))
                    .map(|(_, n)| *n)
                    .collect::<Vec<_>>()
                    .join(";")
            };
            let mut row = vec![
                h.household_id.to_string(),
                h.village_code.to_string(),
                s.n_members.to_string(),
                format!("{:.4}", s.score),
                u8::from(s.mpi_poor).to_string(),
                u8::from(s.target_poor).to_string(),
                s.group.as_str().to_string(),
            ];
            row.extend(s.capitals.iter().map(|c| format!("{c:.3}")));
            row.push(format!("{:.0}", s.income_pc));
            row.push(listed(&indicators, &s.deprivations));
            row.push(listed(&needs, &s.needs));
            rows.push(row);
        }
        scores_file.write(first, &SCORE_HEADER, &rows)?;
        first = false;
        progress(
            "score",
            households.min(total_bytes),
            total_bytes.max(households),
        );
    }
    // Members left over belong to no household before them.
    if diagnostics.is_empty() {
        let left = pending
            .front()
            .map(|(mem, row)| (mem.household_id.to_string(), *row));
        let left = left.or_else(|| {
            mrx.iter().find_map(|p| {
                p.records
                    .first()
                    .map(|mem| (mem.household_id.to_string(), p.rows[0]))
            })
        });
        if let Some((id, row)) = left {
            diagnostics.push(thanrak_io::Diagnostic {
                file: m_path.display().to_string(),
                row,
                column: "household_id".into(),
                value: id,
                reason: thanrak_core::Reason::MemberOutOfOrder,
            });
        }
    }
    drop(mrx);
    for t in [h_thread, m_thread] {
        t.join()
            .map_err(|_| AppError::Invalid("a reader thread stopped".into()))??;
    }
    if !diagnostics.is_empty() {
        return Ok(Err(diagnostics));
    }
    let scores = scores_file.commit()?;
    let agg = agg.finish();
    let mut figures_file = Staged::create(target.join("figures.csv"))?;
    let figures_header = [
        "area_code",
        "area_name_th",
        "area_name_en",
        "households",
        "persons",
        "h",
        "a",
        "m0",
        "hardship_households",
        "struggling_households",
        "getting_by_households",
        "doing_well_households",
        "hardship_persons",
        "struggling_persons",
        "getting_by_persons",
        "doing_well_persons",
    ];
    let row = |code: &str, th: &str, en: &str, s: &thanrak_core::measure::Summary| {
        let mut r = vec![
            code.to_string(),
            th.to_string(),
            en.to_string(),
            s.households.iter().sum::<u64>().to_string(),
            s.persons.iter().sum::<u64>().to_string(),
            format!("{:.6}", s.af.h),
            format!("{:.6}", s.af.a),
            format!("{:.6}", s.af.m0),
        ];
        r.extend(s.households.iter().map(u64::to_string));
        r.extend(s.persons.iter().map(u64::to_string));
        r
    };
    let mut rows = vec![row("", "ทั้งประเทศ", "Thailand", &agg.overall)];
    for (code, s) in &agg.by_key {
        let area = AreaRegistry::official().get(code);
        rows.push(row(
            &code.to_string(),
            area.map_or("", |a| a.name_th.as_str()),
            area.map_or("", |a| a.name_en.as_str()),
            s,
        ));
    }
    figures_file.write(true, &figures_header, &rows)?;
    let figures = figures_file.commit()?;
    Ok(Ok(ScoredRound {
        round: round.to_string(),
        households,
        members,
        scores,
        figures,
        overall: agg.overall,
    }))
}
