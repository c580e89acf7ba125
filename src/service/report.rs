//! The synthesis document: outcomes with the contributions they rest on, the published
//! contributions per session, segment and group, and commitments with their progress —
//! as Markdown, CSV or an Excel workbook.

use std::collections::{BTreeMap, HashMap};

use rust_xlsxwriter::{Format, Workbook};

use crate::auth::{Caller, Scope};
use crate::db::DbConn;
use crate::domain::contribution::ContributionKind;
use crate::domain::Lang;
use crate::error::AppError;
use crate::service::contributions::Contribution;
use crate::service::synthesis::{self, Outcome, ProgressReport};
use crate::service::{organisations, structure};

/// What a report is rendered from.
pub struct Report {
    pub title: String,
    pub outcomes: Vec<Outcome>,
    pub contributions: Vec<Contribution>,
    pub progress: HashMap<String, Vec<ProgressReport>>,
    pub organisation_names: HashMap<String, String>,
    pub group_names: HashMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Csv,
    Xlsx,
}

impl ReportFormat {
    pub fn parse(s: &str) -> Result<ReportFormat, AppError> {
        match s {
            "md" | "markdown" => Ok(ReportFormat::Markdown),
            "csv" => Ok(ReportFormat::Csv),
            "xlsx" => Ok(ReportFormat::Xlsx),
            _ => Err(AppError::Validation(vec![crate::error::FieldError::new("format", "must be md, csv or xlsx")])),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "text/markdown; charset=utf-8",
            ReportFormat::Csv => "text/csv; charset=utf-8",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Csv => "csv",
            ReportFormat::Xlsx => "xlsx",
        }
    }
}

/// Gathers the report of a consultation under the caller's visibility.
pub fn build(conn: &mut DbConn, caller: &Caller, slug: &str, lang: Lang) -> Result<Report, AppError> {
    caller.require(Scope::ContributionsRead)?;
    let tree = structure::get_consultation(conn, slug, lang)?;
    let outcomes = synthesis::list_outcomes(conn, caller, Some(slug))?;
    let (contributions, progress) = synthesis::published_with_progress(conn, caller, slug)?;
    let org_ids: Vec<String> = contributions
        .iter()
        .map(|c| c.organisation.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let organisation_names = organisations::get_many(conn, &org_ids)?
        .into_iter()
        .map(|o| (o.id.to_string(), o.acronym.clone().unwrap_or(o.name)))
        .collect();
    let group_names = tree
        .sessions
        .iter()
        .flat_map(|s| s.segments.iter())
        .flat_map(|seg| seg.groups.iter())
        .map(|g| (g.id.to_string(), g.name.clone()))
        .collect();
    Ok(Report { title: tree.summary.title, outcomes, contributions, progress, organisation_names, group_names })
}

impl Report {
    fn org<'a>(&'a self, id: &'a str) -> &'a str {
        self.organisation_names.get(id).map(String::as_str).unwrap_or(id)
    }

    fn title_of(&self, id: &str) -> String {
        self.contributions.iter().find(|c| c.id == id).map(|c| c.title.clone()).unwrap_or_else(|| id.to_owned())
    }

    fn place(&self, session: Option<i32>, segment: Option<&str>, group: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(s) = session {
            parts.push(format!("Session {s}"));
        }
        if let Some(s) = segment {
            parts.push(s.to_owned());
        }
        if let Some(g) = group {
            parts.push(self.group_names.get(g).cloned().unwrap_or_else(|| g.to_owned()));
        }
        if parts.is_empty() {
            "General".to_owned()
        } else {
            parts.join(" / ")
        }
    }

    fn latest(&self, id: &str) -> Option<&ProgressReport> {
        self.progress.get(id).and_then(|list| list.last())
    }

    fn commitments(&self) -> impl Iterator<Item = &Contribution> {
        self.contributions.iter().filter(|c| c.kind == ContributionKind::Commitment)
    }

    pub fn markdown(&self) -> String {
        let mut out = format!("# {}\n\n## Outcomes\n\n", self.title);
        if self.outcomes.is_empty() {
            out.push_str("No outcome recorded yet.\n\n");
        }
        for o in &self.outcomes {
            out.push_str(&format!(
                "### {} — {} ({})\n\n*{}*\n\n{}\n\n",
                o.kind.as_str().replace('_', " "),
                o.title,
                o.status,
                self.place(o.session, o.segment.as_deref(), o.group.as_deref()),
                o.text
            ));
            if !o.contribution_ids.is_empty() {
                out.push_str("Supporting contributions:\n\n");
                for id in &o.contribution_ids {
                    out.push_str(&format!("- {}\n", self.title_of(id)));
                }
                out.push('\n');
            }
        }
        out.push_str("## Published contributions\n\n");
        let mut by_place: BTreeMap<String, Vec<&Contribution>> = BTreeMap::new();
        for c in &self.contributions {
            by_place.entry(self.place(c.session, c.segment.as_deref(), c.group.as_deref())).or_default().push(c);
        }
        for (place, list) in by_place {
            out.push_str(&format!("### {place}\n\n"));
            for c in list {
                out.push_str(&format!(
                    "- **{}** ({}, {}) — {}\n",
                    c.title,
                    c.kind.as_str().replace('_', " "),
                    self.org(&c.organisation),
                    c.summary.as_deref().unwrap_or("")
                ));
            }
            out.push('\n');
        }
        out.push_str("## Commitments and their progress\n\n");
        for c in self.commitments() {
            match self.latest(&c.id) {
                Some(p) => out.push_str(&format!(
                    "- **{}** ({}): {} as of {}{}\n",
                    c.title,
                    self.org(&c.organisation),
                    p.status,
                    p.as_of,
                    p.note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default()
                )),
                None => out.push_str(&format!(
                    "- **{}** ({}): no progress reported yet\n",
                    c.title,
                    self.org(&c.organisation)
                )),
            }
        }
        out
    }

    pub fn csv(&self) -> Result<Vec<u8>, AppError> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let internal = |e: csv::Error| AppError::Internal(e.into());
        w.write_record([
            "record",
            "id",
            "place",
            "kind",
            "status",
            "title",
            "organisation",
            "text",
            "supports",
            "progress",
            "as_of",
        ])
        .map_err(internal)?;
        for o in &self.outcomes {
            w.write_record([
                "outcome",
                &o.id,
                &self.place(o.session, o.segment.as_deref(), o.group.as_deref()),
                o.kind.as_str(),
                o.status.as_str(),
                &o.title,
                "",
                &o.text,
                "",
                "",
                "",
            ])
            .map_err(internal)?;
            for id in &o.contribution_ids {
                w.write_record(["supporting_contribution", id, "", "", "", &self.title_of(id), "", "", &o.id, "", ""])
                    .map_err(internal)?;
            }
        }
        for c in &self.contributions {
            let latest = self.latest(&c.id);
            w.write_record([
                if c.kind == ContributionKind::Commitment { "commitment" } else { "contribution" },
                &c.id,
                &self.place(c.session, c.segment.as_deref(), c.group.as_deref()),
                c.kind.as_str(),
                c.status.as_str(),
                &c.title,
                self.org(&c.organisation),
                c.summary.as_deref().unwrap_or(""),
                "",
                latest.map(|p| p.status.as_str()).unwrap_or(""),
                latest.map(|p| p.as_of.as_str()).unwrap_or(""),
            ])
            .map_err(internal)?;
        }
        w.into_inner().map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, AppError> {
        let internal = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        {
            let sheet = book.add_worksheet().set_name("Outcomes").map_err(internal)?;
            for (col, h) in ["Kind", "Status", "Place", "Title", "Text", "Supporting contributions"].iter().enumerate()
            {
                sheet.write_with_format(0, col as u16, *h, &bold).map_err(internal)?;
            }
            for (i, o) in self.outcomes.iter().enumerate() {
                let r = (i + 1) as u32;
                let supports: Vec<String> = o.contribution_ids.iter().map(|id| self.title_of(id)).collect();
                sheet.write(r, 0, o.kind.as_str()).map_err(internal)?;
                sheet.write(r, 1, o.status.as_str()).map_err(internal)?;
                sheet.write(r, 2, self.place(o.session, o.segment.as_deref(), o.group.as_deref())).map_err(internal)?;
                sheet.write(r, 3, &o.title).map_err(internal)?;
                sheet.write(r, 4, &o.text).map_err(internal)?;
                sheet.write(r, 5, supports.join("\n")).map_err(internal)?;
            }
        }
        {
            let sheet = book.add_worksheet().set_name("Contributions").map_err(internal)?;
            for (col, h) in ["Place", "Kind", "Title", "Organisation", "Summary", "Regions"].iter().enumerate() {
                sheet.write_with_format(0, col as u16, *h, &bold).map_err(internal)?;
            }
            for (i, c) in self.contributions.iter().enumerate() {
                let r = (i + 1) as u32;
                sheet.write(r, 0, self.place(c.session, c.segment.as_deref(), c.group.as_deref())).map_err(internal)?;
                sheet.write(r, 1, c.kind.as_str()).map_err(internal)?;
                sheet.write(r, 2, &c.title).map_err(internal)?;
                sheet.write(r, 3, self.org(&c.organisation)).map_err(internal)?;
                sheet.write(r, 4, c.summary.as_deref().unwrap_or("")).map_err(internal)?;
                sheet
                    .write(r, 5, c.regions.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
                    .map_err(internal)?;
            }
        }
        {
            let sheet = book.add_worksheet().set_name("Commitments").map_err(internal)?;
            for (col, h) in ["Title", "Organisation", "Progress", "As of", "Note"].iter().enumerate() {
                sheet.write_with_format(0, col as u16, *h, &bold).map_err(internal)?;
            }
            for (i, c) in self.commitments().enumerate() {
                let r = (i + 1) as u32;
                let latest = self.latest(&c.id);
                sheet.write(r, 0, &c.title).map_err(internal)?;
                sheet.write(r, 1, self.org(&c.organisation)).map_err(internal)?;
                sheet.write(r, 2, latest.map(|p| p.status.as_str()).unwrap_or("not reported")).map_err(internal)?;
                sheet.write(r, 3, latest.map(|p| p.as_of.as_str()).unwrap_or("")).map_err(internal)?;
                sheet.write(r, 4, latest.and_then(|p| p.note.as_deref()).unwrap_or("")).map_err(internal)?;
            }
        }
        book.save_to_buffer().map_err(internal)
    }

    pub fn render(&self, format: ReportFormat) -> Result<Vec<u8>, AppError> {
        match format {
            ReportFormat::Markdown => Ok(self.markdown().into_bytes()),
            ReportFormat::Csv => self.csv(),
            ReportFormat::Xlsx => self.xlsx(),
        }
    }
}
