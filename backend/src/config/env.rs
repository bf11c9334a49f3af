//! Reading [`Settings`] from the environment (and a `.env` file), with DESIGN.md §2's names
//! and defaults; every bad value is refused with the variable's name.

use std::{env, time::Duration};

use secrecy::SecretString;
use url::Url;

use crate::domain::fields::InvalidPhoneRegion;

use super::{
    AutomationSettings, BrevoLimits, BrevoSettings, ConfigError, HttpClientSettings,
    LoginThrottleSettings, PipedriveSettings, RetryPolicy, SecretUrl, Settings, SyncSettings,
};

impl Settings {
    /// Reads `.env` (when present) and then the environment; real variables win over `.env`.
    pub fn from_env() -> Result<Self, ConfigError> {
        // A missing .env is normal; any other problem with it should not go unnoticed.
        if let Err(err) = dotenvy::dotenv() {
            if !err.not_found() {
                return Err(ConfigError::Invalid {
                    var: ".env",
                    reason: err.to_string(),
                });
            }
        }
        let defaults = SyncSettings::default();
        let public_url = var("PUBLIC_URL")
            .map(|raw| parse_url("PUBLIC_URL", &raw))
            .transpose()?;
        let pipedrive_webhooks = parse_bool("PIPEDRIVE_WEBHOOKS")?.unwrap_or(false);
        if pipedrive_webhooks && public_url.is_none() {
            return Err(ConfigError::Invalid {
                var: "PIPEDRIVE_WEBHOOKS",
                reason: "needs PUBLIC_URL, the address Pipedrive delivers to".into(),
            });
        }
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite:data/app.db".into()),
            bind_addr: var("BIND_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into()),
            admin_password: secret("ADMIN_PASSWORD"),
            secure_cookie: parse_bool("SECURE_COOKIE")?.unwrap_or(false),
            static_dir: var("STATIC_DIR")
                .unwrap_or_else(|| "frontend/dist".into())
                .into(),
            sandbox_mode: parse_bool("SANDBOX_MODE")?.unwrap_or(false),
            metrics_token: secret("METRICS_TOKEN"),
            pipedrive: PipedriveSettings {
                api_token: secret("PIPEDRIVE_API_TOKEN"),
                base_url: origin("PIPEDRIVE_BASE_URL", "https://api.pipedrive.com")?,
            },
            brevo: BrevoSettings {
                api_key: secret("BREVO_API_KEY"),
                base_url: origin("BREVO_BASE_URL", "https://api.brevo.com")?,
            },
            http: HttpClientSettings::default(),
            retry: RetryPolicy::default(),
            brevo_limits: BrevoLimits::default(),
            sync: SyncSettings {
                brevo_folder_id: parse_folder_id()?,
                removal_brake_min: parse_number("REMOVAL_BRAKE_MIN", 0..=u32::MAX)?
                    .map_or(defaults.removal_brake_min, |n| n as usize),
                removal_brake_percent: parse_number("REMOVAL_BRAKE_PERCENT", 0..=100)?
                    .unwrap_or(defaults.removal_brake_percent),
                phone_region: var("DEFAULT_PHONE_REGION")
                    .map(|code| code.parse())
                    .transpose()
                    .map_err(|e: InvalidPhoneRegion| ConfigError::Invalid {
                        var: "DEFAULT_PHONE_REGION",
                        reason: e.to_string(),
                    })?,
                ..defaults
            },
            change_log_days: parse_number("CHANGE_LOG_DAYS", 0..=36_500)?.unwrap_or(90),
            filter_refresh: match parse_number("FILTER_REFRESH_MINUTES", 0..=10_080)?.unwrap_or(60)
            {
                0 => None,
                minutes => Some(Duration::from_secs(u64::from(minutes) * 60)),
            },
            login_throttle: LoginThrottleSettings::default(),
            automation: AutomationSettings {
                schedule_concurrency: parse_number("SCHEDULE_CONCURRENCY", 0..=64)?
                    .map_or(AutomationSettings::default().schedule_concurrency, |n| {
                        n as usize
                    }),
                alert_webhook_url: var("ALERT_WEBHOOK_URL")
                    .map(|raw| parse_url("ALERT_WEBHOOK_URL", &raw))
                    .transpose()?
                    .map(SecretUrl),
                public_url,
                pipedrive_daily_token_budget: parse_number(
                    "PIPEDRIVE_DAILY_TOKEN_BUDGET",
                    1..=u32::MAX,
                )?
                .map(u64::from),
                pipedrive_webhooks,
                webhook_debounce: parse_number("WEBHOOK_DEBOUNCE_SECONDS", 1..=3_600)?
                    .map_or(AutomationSettings::default().webhook_debounce, |s| {
                        Duration::from_secs(u64::from(s))
                    }),
                ..AutomationSettings::default()
            },
        })
    }
}

/// A set, non-blank variable.
fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn secret(name: &str) -> Option<SecretString> {
    var(name).map(SecretString::from)
}

fn parse_bool(name: &'static str) -> Result<Option<bool>, ConfigError> {
    var(name)
        .map(|value| match value.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError::Invalid {
                var: name,
                reason: format!("expected true or false, got {value:?}"),
            }),
        })
        .transpose()
}

/// A whole number within `range`.
fn parse_number(
    name: &'static str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<Option<u32>, ConfigError> {
    var(name)
        .map(|value| match value.trim().parse::<u32>() {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(ConfigError::Invalid {
                var: name,
                reason: format!(
                    "expected a whole number from {} to {}, got {value:?}",
                    range.start(),
                    range.end()
                ),
            }),
        })
        .transpose()
}

fn parse_folder_id() -> Result<Option<i64>, ConfigError> {
    var("BREVO_FOLDER_ID")
        .map(|value| match value.trim().parse::<i64>() {
            Ok(id) if id > 0 => Ok(id),
            _ => Err(ConfigError::Invalid {
                var: "BREVO_FOLDER_ID",
                reason: format!("expected a positive folder id, got {value:?}"),
            }),
        })
        .transpose()
}

/// An `http(s)` origin. A trailing slash is tolerated; a path would be ambiguous, since the
/// clients append the versioned paths themselves.
fn origin(name: &'static str, default: &str) -> Result<Url, ConfigError> {
    parse_origin(name, &var(name).unwrap_or_else(|| default.into()))
}

/// An `http(s)` URL; its path and query are kept.
fn parse_url(name: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { var: name, reason };
    // The value is not echoed: ALERT_WEBHOOK_URL is a credential.
    let url = Url::parse(raw.trim()).map_err(|err| invalid(format!("not a URL: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid("must be an http(s) URL".into()));
    }
    Ok(url)
}

fn parse_origin(name: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid { var: name, reason };
    let url =
        Url::parse(raw.trim()).map_err(|err| invalid(format!("{raw:?} is not a URL: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(format!("{raw:?} must be an http(s) origin")));
    }
    if url.path() != "/" || url.query().is_some() {
        return Err(invalid(format!(
            "{raw:?} must be an origin without a path, e.g. https://api.example.com"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_accept_a_trailing_slash_and_refuse_paths() {
        let ok = parse_origin("X", "https://acme.pipedrive.com/").unwrap();
        assert_eq!(ok.as_str(), "https://acme.pipedrive.com/");
        assert!(parse_origin("X", "http://127.0.0.1:8090").is_ok());
        for bad in [
            "https://api.pipedrive.com/v1",
            "ftp://x.example",
            "not a url",
            "https://x.example/?a=1",
        ] {
            assert!(parse_origin("X", bad).is_err(), "{bad} was accepted");
        }
    }
}
