//! The report as plain data: what the application fills and the renderers read.
//!
//! Every string is shown as written (never read as typst markup or as a spreadsheet formula), so a
//! name may hold any character. Numbers that a reader compares are given as numbers (table cells,
//! bar values, flow counts) and formatted here, with thousands separators; numbers that are only
//! read ([`Figure::value`], [`Bar::display`]) are given already written.

/// A whole report: a title block, sections of blocks, and a footer on every page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The title, e.g. "รายงานสถานการณ์ความยากจน จังหวัดน่าน".
    pub title: String,
    /// The line under the title, e.g. the meeting it is for.
    pub subtitle: String,
    /// Label and value lines under the title, e.g. `("รอบสำรวจ", "2568")`.
    pub meta: Vec<(String, String)>,
    /// The sections, in order; each gets a numbered heading.
    pub sections: Vec<Section>,
    /// The footer of every page (in the PDF) and the last line of the summary sheet (in the
    /// workbook), e.g. the data source and the date the report was made.
    pub footer: String,
}

/// A numbered section of the report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Section {
    /// The section's heading.
    pub heading: String,
    /// What the section shows, in order.
    pub blocks: Vec<Block>,
}

/// One piece of a section.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A paragraph of running text.
    Paragraph(String),
    /// Key-figure tiles: a big number and its label (and an optional note).
    Figures(Vec<Figure>),
    /// A table; in the workbook, a sheet of its own.
    Table(Table),
    /// A horizontal bar chart.
    Bars(BarChart),
    /// A choropleth map of areas.
    Map(AreaMap),
    /// A Sankey-style flow between the groups of two rounds.
    Flow(Flow),
}

/// A key figure, shown as a tile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figure {
    /// What the number is, e.g. "ครัวเรือนยากจนเป้าหมาย".
    pub label: String,
    /// The number as the reader should read it, e.g. "12,345".
    pub value: String,
    /// A line under the label, e.g. "ลดลง 3.2% จากรอบก่อน".
    pub note: Option<String>,
}

/// A table of rows under named columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The name of its sheet in the workbook. Made to follow Excel's rules when written (at most
    /// 31 characters, none of `[]:*?/\`, not starting or ending with `'`) and unique among the
    /// workbook's sheets, so any text will do.
    pub sheet: String,
    /// The caption above the table.
    pub caption: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows; each must have one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// A note under the table (the note on withheld cells is added by itself).
    pub note: Option<String>,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Column {
    /// The column's header.
    pub header: String,
    /// Whether the column holds numbers: its cells and header are then right-aligned.
    pub numeric: bool,
}

/// The character a [`Cell::Withheld`] shows, in the PDF and in the workbook (a text cell there):
/// an en dash. Not "<5": complementary suppression also withholds counts of 5 or more.
pub const WITHHELD_MARK: &str = "–";

/// The note written under a table that has a withheld cell (before the table's own note).
pub const WITHHELD_NOTE: &str = "– ไม่แสดงจำนวน เพื่อคุ้มครองข้อมูลส่วนบุคคล \
(จำนวนน้อยกว่า 5 ครัวเรือน หรือจำนวนที่ใช้คำนวณย้อนกลับหาจำนวนดังกล่าวได้)";

/// A cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, shown as written.
    Text(String),
    /// A whole number, written with thousands separators ("12,345").
    Int(i64),
    /// A number written with a fixed number of decimals and thousands separators.
    Num {
        /// The number; must be finite.
        value: f64,
        /// How many decimals to write (at most 10 are used).
        decimals: u8,
    },
    /// A share written as a percentage: 0.125 with 1 decimal is "12.5%".
    Percent {
        /// The share, usually in 0..=1; must be finite.
        value: f64,
        /// How many decimals of the percentage to write (at most 10 are used).
        decimals: u8,
    },
    /// A count withheld to protect small numbers: shown as [`WITHHELD_MARK`], and the table gets
    /// [`WITHHELD_NOTE`].
    Withheld,
    /// Nothing.
    Empty,
}

/// A horizontal bar chart.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarChart {
    /// The caption above the chart.
    pub caption: String,
    /// The unit of the values, e.g. "ครัวเรือน" (shown under the caption and in the workbook).
    pub unit: String,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// A bar of a [`BarChart`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bar {
    /// What the bar is, written left of it.
    pub label: String,
    /// Its length: must be finite. A negative value is drawn as long as its magnitude, in
    /// another colour.
    pub value: f64,
    /// The value as the reader should read it, written right of the bar, e.g. "1,234 ครัวเรือน".
    pub display: String,
}

/// A choropleth map: areas filled by the class of their value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaMap {
    /// The caption above the map.
    pub caption: String,
    /// The title of the legend, e.g. "สัดส่วนครัวเรือนยากจน".
    pub legend_title: String,
    /// The classes, low to high; class `i` is filled with the `i`-th colour of a sequential
    /// palette spread over all the classes.
    pub classes: Vec<MapClass>,
    /// The areas.
    pub areas: Vec<MapArea>,
}

/// A class of an [`AreaMap`]'s legend.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapClass {
    /// Its label, e.g. "10–20%".
    pub label: String,
}

/// An area of an [`AreaMap`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MapArea {
    /// The area's name.
    pub name: String,
    /// The index of its class in [`AreaMap::classes`], or `None` when there is no data.
    pub class: Option<usize>,
    /// Its outline: the outer rings of its polygons, each a list of `[longitude, latitude]`
    /// points (the ring may or may not repeat its first point at the end).
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// A Sankey-style flow of counts from the groups of one round to those of another.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flow {
    /// The caption above the flow.
    pub caption: String,
    /// The title of the left column, e.g. "รอบ 2567".
    pub from_title: String,
    /// The title of the right column, e.g. "รอบ 2568".
    pub to_title: String,
    /// The groups on the left, top to bottom.
    pub nodes_from: Vec<String>,
    /// The groups on the right, top to bottom.
    pub nodes_to: Vec<String>,
    /// The counts from a left group to a right group.
    pub links: Vec<FlowLink>,
}

/// A band of a [`Flow`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlowLink {
    /// The index of the left group in [`Flow::nodes_from`].
    pub from: usize,
    /// The index of the right group in [`Flow::nodes_to`].
    pub to: usize,
    /// How many moved from the one to the other.
    pub count: u64,
}
