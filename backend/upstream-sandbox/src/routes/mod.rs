//! HTTP routes of both fake APIs and of the control API.

mod brevo_attributes;
mod brevo_contact_pages;
mod brevo_contacts;
mod brevo_import;
mod brevo_lists;
mod pipedrive;
mod pipedrive_fields;
mod pipedrive_paging;
mod pipedrive_webhooks;

use actix_web::web;
use serde::Deserialize;

use crate::control;
use crate::state::brevo::Rejection;

pub use brevo_import::IMPORT_BODY_LIMIT_BYTES;

pub(crate) fn configure(app: &mut web::ServiceConfig) {
    pipedrive::configure(app);
    pipedrive_fields::configure(app);
    pipedrive_webhooks::configure(app);
    brevo_lists::configure(app);
    brevo_attributes::configure(app);
    brevo_contacts::configure(app);
    brevo_contact_pages::configure(app);
    brevo_import::configure(app);
    control::configure(app);
}

/// Brevo's `limit` / `offset` / `sort` query parameters, kept as text so that
/// bad values get Brevo's error body rather than the extractor's.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    limit: Option<String>,
    offset: Option<String>,
    sort: Option<String>,
}

/// A validated page request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub offset: usize,
    pub limit: usize,
    /// Newest first, Brevo's default.
    pub desc: bool,
}

impl PageQuery {
    pub fn resolve(&self, default_limit: usize, max_limit: usize) -> Result<Page, Rejection> {
        let number = |name: &str, value: &Option<String>, default: usize| match value {
            None => Ok(default),
            Some(text) => text.parse::<usize>().map_err(|_| {
                Rejection::invalid(format!("{name} should be a non-negative integer"))
            }),
        };
        let limit = number("limit", &self.limit, default_limit)?;
        if limit > max_limit {
            let message = format!("Limit exceeds max value {max_limit}");
            return Err(Rejection::new(400, "out_of_range", message));
        }
        let desc = match self.sort.as_deref() {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(Rejection::invalid("sort should be asc or desc")),
        };
        Ok(Page {
            offset: number("offset", &self.offset, 0)?,
            limit,
            desc,
        })
    }
}
