//! The household survey's XLSForm ([`thanrak_core::field::form`]) written as the workbook ODK
//! Central, KoboToolbox and pyxform read: the sheets `survey`, `choices` and `settings`, with
//! Thai and English label columns (`label::Thai (th)`, `label::English (en)`).

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use thanrak_core::field::form::XlsForm;

const SURVEY_HEADER: &[&str] = &[
    "type",
    "name",
    "label::Thai (th)",
    "label::English (en)",
    "hint::Thai (th)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "constraint_message::Thai (th)",
    "constraint_message::English (en)",
    "calculation",
    "choice_filter",
    "default",
];

/// The form as the bytes of an XLSX workbook.
pub fn xlsform(form: &XlsForm) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    {
        let ws = book.add_worksheet();
        ws.set_name("survey")?;
        for (c, h) in SURVEY_HEADER.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, q) in form.survey.iter().enumerate() {
            let cells = [
                &q.kind,
                &q.name,
                &q.label_th,
                &q.label_en,
                &q.hint_th,
                &q.hint_en,
                &q.required,
                &q.relevant,
                &q.constraint,
                &q.constraint_th,
                &q.constraint_en,
                &q.calculation,
                &q.choice_filter,
                &q.default,
            ];
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32 + 1, c as u16, v.as_str())?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.set_column_width(0, 28)?;
        ws.set_column_width(1, 24)?;
        ws.set_column_width(2, 36)?;
        ws.set_column_width(3, 36)?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name("choices")?;
        let mut header = vec![
            "list_name",
            "name",
            "label::Thai (th)",
            "label::English (en)",
        ];
        header.extend(form.filter_columns.iter().copied());
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, choice) in form.choices.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, &choice.list)?;
            ws.write_string(r, 1, &choice.name)?;
            ws.write_string(r, 2, &choice.label_th)?;
            ws.write_string(r, 3, &choice.label_en)?;
            for (i, f) in choice.filters.iter().enumerate() {
                if !f.is_empty() {
                    ws.write_string(r, 4 + i as u16, f)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
    }
    {
        let ws = book.add_worksheet();
        ws.set_name("settings")?;
        for (c, (name, value)) in form.settings.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *name, &bold)?;
            ws.write_string(1, c as u16, value)?;
        }
    }
    book.save_to_buffer()
}
