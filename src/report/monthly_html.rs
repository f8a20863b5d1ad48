//! TEMPORARY local stub (not committed): replaced by the real renderer.
#![allow(missing_docs)]
use crate::monthly::MonthlyReport;
#[derive(Debug, Clone, Copy)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}
pub fn render(report: &MonthlyReport, _theme: Theme) -> String {
    format!("<html>{}</html>", report.exposure_score)
}
